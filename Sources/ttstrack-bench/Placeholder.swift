print("ttstrack-bench: not yet")
