print("ttstrack: not yet")
