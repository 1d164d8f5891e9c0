import CambSimulator
import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// Tags over the real socket: Add puts one on a batch, List, Wait and Watch take it, and a bad
/// one is refused before anything is stored.
@Suite(.timeLimit(.minutes(1))) struct TagTests {
    static func tags(_ reply: [String: JSONValue]) -> [String: String?] {
        var tags: [String: String?] = [:]
        for task in reply["tasks"]?.array ?? [] {
            tags[task["task_id"]?.stringValue ?? "?"] = task["tag"]?.stringValue
        }
        return tags
    }

    static func taskIDs(_ reply: [String: JSONValue]) -> [String] {
        reply["tasks"]?.array?.compactMap { $0["task_id"]?.stringValue } ?? []
    }

    @Test func addKeepsTheTagAndAnIdAlreadyTrackedKeepsItsOwn() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            let first = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["s-1", "s-2"]), "tag": "book-1"])
            #expect(first == ["added": 2, "existing": 0])
            let second = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["s-2", "s-3"]), "tag": "book-2"])
            #expect(second == ["added": 1, "existing": 1])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["plain"])])
            let got = try await test.call("io.ttstrack.Tracker.Get", ["ids": ids(["s-1", "s-2", "s-3", "plain"])])
            #expect(Self.tags(got) == ["s-1": "book-1", "s-2": "book-1", "s-3": "book-2", "plain": nil])
            #expect(got["tasks"]?.array?.last?["tag"] == .null, "an untagged task has tag null")
            // The tag survives a restart: it is in the store, not in memory.
            try await test.restart()
            let again = try await test.call("io.ttstrack.Tracker.Get", ["ids": ids(["s-2"])])
            #expect(Self.tags(again) == ["s-2": "book-1"])
        }
    }

    @Test func listFiltersByTagAndPagesWithTheCursor() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            let batch = (0..<5).map { "seg-\($0)" }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(batch), "tag": "long-text"])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["other-1", "seg-x"]), "tag": "other"])
            let all = try await test.call("io.ttstrack.Tracker.List", ["tag": "long-text"])
            #expect(Self.taskIDs(all) == batch && all["next"] == .null)
            var pages: [[String]] = []
            var after: JSONValue = .null
            repeat {
                let page = try await test.call(
                    "io.ttstrack.Tracker.List", ["tag": "long-text", "limit": 2, "after": after])
                pages.append(Self.taskIDs(page))
                after = page["next"] ?? .null
            } while after != .null
            #expect(pages == [["seg-0", "seg-1"], ["seg-2", "seg-3"], ["seg-4"]])
            let combined = try await test.call(
                "io.ttstrack.Tracker.List", ["tag": "other", "kind": "tts", "status": "active"])
            #expect(Self.taskIDs(combined) == ["other-1", "seg-x"])
            let none = try await test.call("io.ttstrack.Tracker.List", ["tag": "long-text", "status": "SUCCESS"])
            #expect(Self.taskIDs(none).isEmpty, "filters given together must all match")
            #expect(Self.taskIDs(try await test.call("io.ttstrack.Tracker.List", ["tag": "nobody"])).isEmpty)
        }
    }

    @Test func aBadTagIsRefusedNamingTagAndNothingIsStored() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            let bad: [JSONValue] = ["", "a/b", "with space", "é", .string(String(repeating: "t", count: 65)), 7, ["x"]]
            for tag in bad {
                let added = try await test.error("io.ttstrack.Tracker.Add", ["ids": ids(["fresh-1"]), "tag": tag])
                #expect(added == .invalidParameter("tag"), "Add with tag \(tag)")
                #expect(try await test.error("io.ttstrack.Tracker.List", ["tag": tag]) == .invalidParameter("tag"))
                #expect(
                    try await test.error("io.ttstrack.Tracker.Wait", ["ids": ids(["fresh-1"]), "tag": tag])
                        == .invalidParameter("tag"))
            }
            let watched = try await blocking { [path = test.socketPath] () -> VarlinkError? in
                let client = try VarlinkClient(path: path)
                try client.send("io.ttstrack.Tracker.Watch", ["tag": "no/slash"], more: true)
                return try client.receive().error
            }
            #expect(watched == .invalidParameter("tag"))
            let got = try await test.call("io.ttstrack.Tracker.Get", ["ids": ids(["fresh-1"])])
            #expect(got["tasks"]?.array?.first?["status"] == "UNTRACKED", "nothing of a refused Add is stored")
            #expect(try await test.call("io.ttstrack.Tracker.Stats")["tasks"] == .object([:]))
            // The longest tag is accepted.
            let longest = String(repeating: "t", count: 64)
            let ok = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["fresh-1"]), "tag": .string(longest)])
            #expect(ok == ["added": 1, "existing": 0])
        }
    }

    @Test func waitByTagWaitsForEveryTaggedTaskAndTheIdsGiven() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            test.simulator.script("part-1", [.pending, .success(runID: 1)])
            test.simulator.script("part-2", [.pending, .pending, .pending, .success(runID: 2)])
            test.simulator.script("part-3", [.error(reason: "PROCESSING_ERROR", message: .string("boom"))])
            test.simulator.script("extra", [.pending, .success(runID: 4)])
            _ = try await test.call(
                "io.ttstrack.Tracker.Add", ["ids": ids(["part-3", "part-1", "part-2"]), "tag": "job"])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["extra", "untagged-pending"])])
            let waited = try await test.call(
                "io.ttstrack.Tracker.Wait", ["ids": ids(["extra"]), "tag": "job", "timeout": 20])
            #expect(waited["done"] == true, "\(waited)")
            #expect(Self.taskIDs(waited) == ["extra", "part-1", "part-2", "part-3"], "the ids, then the tagged by id")
            #expect(
                waited["tasks"]?.array?.map { $0["status"]?.stringValue } == ["SUCCESS", "SUCCESS", "SUCCESS", "ERROR"])

            // Only the tag: the pending untagged task is not waited for.
            let byTag = try await test.call("io.ttstrack.Tracker.Wait", ["tag": "job", "timeout": 5])
            #expect(byTag["done"] == true && Self.taskIDs(byTag) == ["part-1", "part-2", "part-3"])

            // A tag no task carries: done at once, with no tasks; with ids, just those.
            let nobody = try await test.call("io.ttstrack.Tracker.Wait", ["tag": "nobody", "timeout": 5])
            #expect(nobody["done"] == true && Self.taskIDs(nobody).isEmpty)
            let withIDs = try await test.call(
                "io.ttstrack.Tracker.Wait", ["ids": ids(["untagged-pending"]), "tag": "nobody", "timeout": 0.2])
            #expect(withIDs["done"] == false && Self.taskIDs(withIDs) == ["untagged-pending"])

            // Neither ids nor a tag: refused, naming ids.
            #expect(try await test.error("io.ttstrack.Tracker.Wait", ["timeout": 1]) == .invalidParameter("ids"))
        }
    }

    @Test func waitByTagHonoursItsTimeout() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            test.simulator.script("quick", [.success(runID: 1)])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["quick", "stuck"]), "tag": "mixed"])
            let waited = try await test.call("io.ttstrack.Tracker.Wait", ["tag": "mixed", "timeout": 0.5])
            #expect(waited["done"] == false)
            #expect(Self.taskIDs(waited) == ["quick", "stuck"])
        }
    }

    @Test func watchByTagStreamsOnlyTheTaggedTasksAndTheirRemoval() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            test.simulator.script("tagged-1", [.pending, .status("QUEUED"), .success(runID: 5)])
            test.simulator.script("plain-1", [.status("QUEUED"), .success(runID: 6)])
            let path = test.socketPath
            let watcher = Task {
                try await blocking { () -> [JSONValue] in
                    let client = try VarlinkClient(path: path)
                    try client.send("io.ttstrack.Tracker.Watch", ["tag": "live"], more: true)
                    return try ControlProtocolTests.readEvents(client) {
                        $0.last?["task"]?["status"] == "UNTRACKED"
                    }
                }
            }
            try await eventually { await test.daemonHasSubscribers() }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["tagged-1"]), "tag": "live"])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["plain-1"])])
            _ = try await test.call("io.ttstrack.Tracker.Wait", ["ids": ids(["tagged-1", "plain-1"]), "timeout": 20])
            #expect(try await test.call("io.ttstrack.Tracker.Remove", ["ids": ids(["tagged-1"])]) == ["removed": 1])
            let events = try await watcher.value
            #expect(events.map { $0["task"]?["status"]?.stringValue } == ["QUEUED", "SUCCESS", "UNTRACKED"])
            #expect(events.allSatisfy { $0["task"]?["task_id"] == "tagged-1" && $0["task"]?["tag"] == "live" })

            // Replayed from the store, the tagged task's events only, the removal included.
            let replayed = try await blocking { () -> [JSONValue] in
                let client = try VarlinkClient(path: path)
                try client.send("io.ttstrack.Tracker.Watch", ["tag": "live", "since": 0], more: true)
                return try ControlProtocolTests.readEvents(client) { $0.count == 3 }
            }
            #expect(replayed.map { $0["seq"] } == events.map { $0["seq"] })

            // Ids and a tag: the changes of both, as Wait waits for both.
            let both = try await blocking { () -> [JSONValue] in
                let client = try VarlinkClient(path: path)
                try client.send(
                    "io.ttstrack.Tracker.Watch", ["ids": ids(["plain-1"]), "tag": "live", "since": 0], more: true)
                return try ControlProtocolTests.readEvents(client) { $0.count == 5 }
            }
            #expect(Set(both.compactMap { $0["task"]?["task_id"]?.stringValue }) == ["tagged-1", "plain-1"])
            let seqs = both.compactMap { $0["seq"]?.int }
            #expect(seqs == seqs.sorted())
        }
    }
}
