"""Drives ttstrackd with the `varlink` package from PyPI, a client nobody here wrote.

Usage: generic_client.py SOCKET_PATH
Prints one JSON object with what it saw; exits non-zero on any failure.
"""
import json
import sys

import varlink

address = "unix:" + sys.argv[1]
seen = {}
with varlink.Client(address=address) as client:
    with client.open("org.varlink.service") as service:
        info = service.GetInfo()
        seen["interfaces"] = info["interfaces"]
        seen["description_starts"] = service.GetInterfaceDescription("io.ttstrack.Tracker")["description"].split("\n")[0]
    # open() parses the interface description: our text must be valid Varlink IDL.
    with client.open("io.ttstrack.Tracker", namespaced=False) as tracker:
        seen["add"] = tracker.Add(["py-1", "py-2"], "tts", "py-batch")
        seen["get"] = [t["status"] for t in tracker.Get(["py-1", "nope"])["tasks"]]
        seen["list"] = [t["task_id"] for t in tracker.List(None, None, None, 10, None)["tasks"]]
        seen["list_tag"] = [t["tag"] for t in tracker.List(None, None, "py-batch", 10, None)["tasks"]]
        seen["wait"] = tracker.Wait(["py-1", "py-2"], None, 20.0)["done"]
        seen["wait_tag"] = [t["task_id"] for t in tracker.Wait(None, "py-batch", 20.0)["tasks"]]
        seen["stats_success"] = tracker.Stats()["tasks"].get("SUCCESS")
        try:
            tracker.Add(["bad/id"], None, None)
            seen["invalid"] = None
        except varlink.VarlinkError as error:
            seen["invalid"] = error.error()
        events = []
        for reply in tracker.Watch(None, "py-batch", 0, _more=True):
            events.append(reply["event"]["task"]["status"])
            if len(events) == 2:
                break
        seen["watch"] = events
    with client.open("io.ttstrack.Tracker", namespaced=False) as tracker:
        seen["remove"] = tracker.Remove(["py-1"])["removed"]
print(json.dumps(seen, sort_keys=True))
