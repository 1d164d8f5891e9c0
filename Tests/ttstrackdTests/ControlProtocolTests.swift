import CambSimulator
import Foundation
import Synchronization
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// The rest of io.ttstrack.Tracker over the real socket: Watch (live, replay, slow readers),
/// Remove, List, oneway, stalled and surplus connections.
@Suite(.timeLimit(.minutes(1))) struct ControlProtocolTests {
    /// Reads Watch replies until `until` says stop; returns the events read.
    static func readEvents(
        _ client: VarlinkClient, until: ([JSONValue]) -> Bool
    ) throws -> [JSONValue] {
        var events: [JSONValue] = []
        while !until(events) {
            let reply = try client.receive()
            if let error = reply.error { throw VarlinkClient.ClientError.remote(error) }
            #expect(reply.continues)
            events.append(reply.parameters["event"] ?? .null)
        }
        return events
    }

    @Test func watchDeliversEachChangeOfTheListedIds() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            test.simulator.script("w1", [.pending, .status("QUEUED"), .success(runID: 5)])
            test.simulator.script("other", [.success(runID: 6)])
            let path = test.daemon.socketPath
            let watcher = Task {
                try await blocking { () -> [JSONValue] in
                    let client = try VarlinkClient(path: path)
                    try client.send("io.ttstrack.Tracker.Watch", ["ids": ["w1"]], more: true)
                    return try Self.readEvents(client) { $0.last?["task"]?["status"] == "SUCCESS" }
                }
            }
            try await eventually { await test.daemonHasSubscribers() }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["w1", "other"]])
            let events = try await watcher.value
            #expect(events.map { $0["task"]?["status"]?.stringValue } == ["QUEUED", "SUCCESS"])
            #expect(events.allSatisfy { $0["task"]?["task_id"] == "w1" }, "only the listed ids")
            #expect(events.last?["task"]?["run_id"] == 5)
            let seqs = events.compactMap { $0["seq"]?.int }
            #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count)
        }
    }

    @Test func watchSinceReplaysExactlyTheLaterEventsAcrossARestart() async throws {
        try await DaemonFixture.with(defaultBehavior: .successAfterChecks(0)) { test in
            let batch = (0..<6).map { "r\($0)" }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(batch)])
            _ = try await test.call("io.ttstrack.Tracker.Wait", ["ids": ids(batch), "timeout": 10])
            let path1 = test.daemon.socketPath
            let all = try await blocking { () -> [JSONValue] in
                let client = try VarlinkClient(path: path1)
                try client.send("io.ttstrack.Tracker.Watch", ["since": 0], more: true)
                return try Self.readEvents(client) { $0.count == 6 }
            }
            let seqs = all.compactMap { $0["seq"]?.int }
            #expect(await test.daemon.stop() == 0)
            try await test.restart()
            let path2 = test.daemon.socketPath
            let cursor = seqs[2]
            let watcher = Task {
                try await blocking { () -> [JSONValue] in
                    let client = try VarlinkClient(path: path2)
                    try client.send("io.ttstrack.Tracker.Watch", ["since": .int(cursor)], more: true)
                    return try Self.readEvents(client) { $0.last?["task"]?["task_id"] == "after-restart" }
                }
            }
            try await eventually { await test.daemonHasSubscribers() }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["after-restart"]])
            let replayed = try await watcher.value
            let replayedSeqs = replayed.compactMap { $0["seq"]?.int }
            #expect(Array(replayedSeqs.dropLast()) == Array(seqs[3...]), "exactly the events after the cursor")
            #expect(replayedSeqs.last! > seqs.last!, "then live, without a gap or a duplicate")
        }
    }

    @Test func aWatchReaderThatFallsBehindIsCutOffAndOthersCarryOn() async throws {
        try await DaemonFixture.with(
            defaultBehavior: .alwaysPending, environment: ["TTSTRACK_CONTROL_WATCH_BUFFER": "50"]
        ) { test in
            let many = (0..<3000).map { "burst-\($0)" }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(many)])
            let client = try test.daemon.client()
            // Should nothing overflow, the reader below fails on a timeout instead of hanging.
            client.setReceiveTimeout(30)
            try client.send("io.ttstrack.Tracker.Watch", [:], more: true)
            // Handed to a reader thread later; the mutex makes that hand-over explicit.
            let connection = Mutex(client)
            try await eventually { await test.daemonHasSubscribers() }
            // 3,000 events of about 450 bytes at once (one Remove; polling them would take the
            // debug build's daemon most of a minute): several times what the socket's buffers
            // hold besides the 50 queued.
            let removed = try await test.call("io.ttstrack.Tracker.Remove", ["ids": ids(many)])
            #expect(removed["removed"] == 3000)
            // Only now does the slow watcher read: some events, then WatchOverflow, then the end.
            let outcome = try await blocking { () -> (Int, String?) in
                connection.withLock { client -> (Int, String?) in
                    var count = 0
                    while true {
                        do {
                            let reply = try client.receive()
                            if let error = reply.error { return (count, error.name) }
                            count += 1
                        } catch {
                            return (count, nil)
                        }
                    }
                }
            }
            #expect(outcome.0 < 3000)
            #expect(outcome.1 == "io.ttstrack.Tracker.WatchOverflow")
            // Others carry on: a new watcher sees a later change, and calls are answered.
            let watcher = try test.daemon.client()
            watcher.setReceiveTimeout(30)
            try watcher.send("io.ttstrack.Tracker.Watch", ["ids": ["after"]], more: true)
            let second = Mutex(watcher)
            try await eventually { await test.daemonHasSubscribers() }
            #expect(try await test.call("io.ttstrack.Tracker.Add", ["ids": ["after"]])["added"] == 1)
            _ = try await test.call("io.ttstrack.Tracker.Remove", ["ids": ["after"]])
            let event = try await blocking { try second.withLock { try $0.receive() } }
            #expect(event.parameters["event"]?["task"]?["status"] == "UNTRACKED")
        }
    }

    @Test func removeForgetsAndTellsWatchers() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["x1", "x2"]])
            let path = test.daemon.socketPath
            let watcher = Task {
                try await blocking { () -> [JSONValue] in
                    let client = try VarlinkClient(path: path)
                    try client.send("io.ttstrack.Tracker.Watch", ["ids": ["x1"]], more: true)
                    return try Self.readEvents(client) { $0.count == 1 }
                }
            }
            try await eventually { await test.daemonHasSubscribers() }
            let removed = try await test.call("io.ttstrack.Tracker.Remove", ["ids": ["x1", "never-added"]])
            #expect(removed["removed"] == 1)
            #expect(try await watcher.value.first?["task"]?["status"] == "UNTRACKED")
            let got = try await test.call("io.ttstrack.Tracker.Get", ["ids": ["x1", "x2"]])
            #expect(got["tasks"]?.array?.map { $0["status"]?.stringValue } == ["UNTRACKED", "PENDING"])
        }
    }

    @Test func listPagesWithCursorAndFilters() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            test.simulator.script("done-1", [.success(runID: 1)])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["b", "a", "c", "done-1"]])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["d"], "kind": "dub"])
            _ = try await test.call("io.ttstrack.Tracker.Wait", ["ids": ["done-1"], "timeout": 10])
            let page1 = try await test.call("io.ttstrack.Tracker.List", ["limit": 2])
            #expect(page1["tasks"]?.array?.map { $0["task_id"]?.stringValue } == ["a", "b"])
            #expect(page1["next"] == "b")
            let page2 = try await test.call("io.ttstrack.Tracker.List", ["limit": 10, "after": "b"])
            #expect(page2["tasks"]?.array?.map { $0["task_id"]?.stringValue } == ["c", "d", "done-1"])
            #expect(page2["next"] == .null)
            let terminal = try await test.call("io.ttstrack.Tracker.List", ["status": "terminal"])
            #expect(terminal["tasks"]?.array?.map { $0["task_id"]?.stringValue } == ["done-1"])
            let dub = try await test.call("io.ttstrack.Tracker.List", ["kind": "dub"])
            #expect(dub["tasks"]?.array?.map { $0["kind"]?.stringValue } == ["dub"])
            #expect(try await test.error("io.ttstrack.Tracker.List", ["limit": 0]) == .invalidParameter("limit"))
            #expect(try await test.error("io.ttstrack.Tracker.List", ["limit": "ten"]) == .invalidParameter("limit"))
        }
    }

    @Test func onewayCallsAreCarriedOutWithoutAReply() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            let path = test.daemon.socketPath
            let first = try await blocking { () -> [String: JSONValue] in
                let client = try VarlinkClient(path: path)
                try client.send("io.ttstrack.Tracker.Add", ["ids": ["quiet"]], oneway: true)
                try client.send("io.ttstrack.Tracker.Get", ["ids": ["quiet"]])
                return try client.receive().parameters
            }
            #expect(first["tasks"]?.array?.first?["status"] == "PENDING", "the first reply is Get's: Add sent none")
        }
    }

    @Test func aStalledHalfMessageIsDisconnected() async throws {
        try await DaemonFixture.with(environment: ["TTSTRACK_CONTROL_MESSAGE_TIMEOUT": "0.3"]) { test in
            let path = test.daemon.socketPath
            let started = ContinuousClock.now
            let closed = try await blocking { () -> Bool in
                let client = try VarlinkClient(path: path)
                try client.sendRaw(Array(#"{"method":"io.ttstrack.Tra"#.utf8))
                client.setReceiveTimeout(10)
                return client.isClosedWithoutReply()
            }
            #expect(closed)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test func aWaiterThatIsKilledDoesNotHoldItsConnection() async throws {
        // Three connections at most; five waiters on a task that never ends go away mid-wait, as
        // a `ttstrack wait` under `timeout` or Ctrl-C does. Held, they would leave none free.
        try await DaemonFixture.with(
            defaultBehavior: .alwaysPending, environment: ["TTSTRACK_CONTROL_MAX_CONNECTIONS": "3"]
        ) { test in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["held"]])
            for _ in 0..<5 {
                // Served first (a connection closed before the daemon takes it makes only its
                // one-way calls); it closes as `waiter` goes at the end of each pass. A waiter
                // that went frees its slot soon after, so the next one waits for a free slot.
                let waiter = try await Self.servedConnection(test, within: .seconds(10))
                try waiter.send("io.ttstrack.Tracker.Wait", ["ids": ["held"]])
            }
            _ = try await Self.servedConnection(test, within: .seconds(10))
            let task = try await test.call("io.ttstrack.Tracker.Get", ["ids": ["held"]])
            #expect(task["tasks"]?.array?.first?["status"] == "PENDING", "the task itself is still tracked")
        }
    }

    @Test func aWaiterThatStopsSendingStillGetsItsReply() async throws {
        // Shutting the writing side after the call (as `printf … | socat` does) is not hanging up.
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            test.simulator.script("half", [.pending, .pending, .success(runID: 3)])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["half"]])
            let path = test.daemon.socketPath
            let reply = try await blocking { () -> [String: JSONValue] in
                let client = try VarlinkClient(path: path)
                client.setReceiveTimeout(30)
                try client.send("io.ttstrack.Tracker.Wait", ["ids": ["half"], "timeout": 20])
                client.shutdownWrite()
                return try client.receive().parameters
            }
            #expect(reply["done"] == true)
            #expect(reply["tasks"]?.array?.first?["status"] == "SUCCESS")
        }
    }

    @Test func aMessageHeldBackByTheDaemonsOwnBackpressureIsNotTakenForAStall() async throws {
        // A long Wait with 20 calls pipelined behind it: the daemon stops reading while they wait,
        // and the end of the 21st call sits unread in the socket. That is not the client
        // stalling: the 0.3 s message timeout must not cut the connection meanwhile.
        try await DaemonFixture.with(
            defaultBehavior: .alwaysPending, environment: ["TTSTRACK_CONTROL_MESSAGE_TIMEOUT": "0.3"]
        ) { test in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["held"]])
            let path = test.daemon.socketPath
            let replies = try await blocking { () -> [String] in
                let client = try VarlinkClient(path: path)
                client.setReceiveTimeout(20)
                let info = VarlinkReply.frame(["method": "org.varlink.service.GetInfo"])
                var first = VarlinkReply.frame([
                    "method": "io.ttstrack.Tracker.Wait", "parameters": ["ids": ["held"], "timeout": 1.5],
                ])
                for _ in 0..<20 { first += info }
                first += info.prefix(10)
                try client.sendRaw(first)
                // Once the daemon has read all of that, the rest of the last call follows.
                let deadline = ContinuousClock.now + .seconds(10)
                while client.unreadBytes > 0 && ContinuousClock.now < deadline { usleep(1000) }
                try client.sendRaw(Array(info.dropFirst(10)))
                return try (0..<22).map { _ in
                    let reply = try client.receive()
                    return reply.error?.name ?? reply.parameters.keys.sorted().joined(separator: ",")
                }
            }
            #expect(replies.first == "done,tasks", "the Wait's reply, after its 1.5 s")
            #expect(replies.dropFirst().allSatisfy { $0.contains("product") }, "\(replies)")
        }
    }

    @Test func connectionsBeyondTheLimitAreClosedAndOthersServed() async throws {
        try await DaemonFixture.with(environment: ["TTSTRACK_CONTROL_MAX_CONNECTIONS": "3"]) { test in
            // The readiness probe's connection may still be counted for a moment after it closed:
            // wait until three fresh connections are all served.
            var clients: [VarlinkClient] = []
            let deadline = ContinuousClock.now + .seconds(10)
            while clients.isEmpty {
                let candidates = try (0..<3).map { _ in try test.daemon.client() }
                if (try? candidates.forEach { _ = try $0.call("org.varlink.service.GetInfo") }) != nil {
                    clients = candidates
                } else {
                    try #require(ContinuousClock.now < deadline, "three connections are served")
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
            let surplus = try test.daemon.client()
            #expect(throws: VarlinkClient.ClientError.self) { try surplus.call("org.varlink.service.GetInfo") }
            for client in clients { _ = try client.call("io.ttstrack.Tracker.Stats") }
        }
    }
}

extension ControlProtocolTests {
    /// A connection the daemon serves (it has answered `GetInfo` on it), once one is free.
    static func servedConnection(_ test: DaemonFixture, within limit: Duration) async throws -> VarlinkClient {
        let deadline = ContinuousClock.now + limit
        while true {
            if let client = try? test.daemon.client(), (try? client.call("org.varlink.service.GetInfo")) != nil {
                return client
            }
            try #require(ContinuousClock.now < deadline, "a connection is served within \(limit)")
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

extension DaemonFixture {
    /// True once the daemon counts a Watch in progress.
    func daemonHasSubscribers() async -> Bool {
        (try? await call("io.ttstrack.Tracker.Stats"))?["watchers"]?.int ?? 0 > 0
    }
}
