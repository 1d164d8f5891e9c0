import Foundation
import TTSTrackClient
import TTSTrackTestSupport
import Testing

/// `TrackerClient` against a real daemon and a simulated CAMB.AI API: what a Swift program
/// using the library gets back.
@Suite(.timeLimit(.minutes(1))) struct TrackerClientTests {
    @Test func addGetWaitAndRemove() async throws {
        try await DaemonFixture.with { fixture in
            fixture.simulator.script("job-1", [.pending, .success(runID: 4711)])
            let client = try await fixture.client()

            let first = try await client.add(["job-1", "job-2"])
            #expect(first.added == 2 && first.existing == 0)
            let again = try await client.add(["job-1"], kind: "tts")
            #expect(again.added == 0 && again.existing == 1)

            let waited = try await client.wait(ids: ["job-1", "job-2"], timeout: .seconds(20))
            #expect(waited.done)
            let task = try #require(waited.tasks.first)
            #expect(task.taskID == "job-1" && task.kind == "tts")
            #expect(task.status == "SUCCESS" && task.terminal && task.runID == 4711)
            #expect(task.checks >= 2)
            let added = try #require(task.addedAt)
            let updated = try #require(task.updatedAt)
            #expect(added <= updated && updated.rfc3339.hasSuffix("Z"))

            let got = try await client.get(["job-1", "unknown-1"])
            #expect(got.map(\.taskID) == ["job-1", "unknown-1"])
            #expect(got[0].runID == 4711 && !got[0].isUntracked)
            #expect(got[1].isUntracked && got[1].runID == nil)

            #expect(try await client.remove(["job-1", "unknown-1"]) == 1)
            #expect(try await client.get(["job-1"]).first?.isUntracked == true)
        }
    }

    @Test func waitReturnsNotDoneWhenTheTimeoutComesFirst() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { fixture in
            let client = try await fixture.client()
            _ = try await client.add(["slow-1"])
            let started = ContinuousClock.now
            let waited = try await client.wait(ids: ["slow-1"], timeout: .milliseconds(300))
            #expect(ContinuousClock.now - started >= .milliseconds(250))
            #expect(!waited.done)
            #expect(waited.tasks.first?.status == "PENDING" && waited.tasks.first?.terminal == false)
        }
    }

    @Test func listPagesWithTheCursor() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { fixture in
            let client = try await fixture.client()
            let ids = (0..<5).map { "page-\($0)" }
            _ = try await client.add(ids)
            _ = try await client.add(["dub-1"], kind: "dub")

            var seen: [String] = []
            var after: String?
            repeat {
                let page = try await client.list(kind: "tts", limit: 2, after: after)
                #expect(page.tasks.count <= 2)
                seen += page.tasks.map(\.taskID)
                after = page.next
            } while after != nil
            #expect(seen == ids)

            let dubs = try await client.list(status: "active", kind: "dub")
            #expect(dubs.tasks.map(\.taskID) == ["dub-1"] && dubs.next == nil)
        }
    }

    @Test func theTrackersRefusalsAreTypedErrors() async throws {
        try await DaemonFixture.with { fixture in
            let client = try await fixture.client()
            // Sent as they are: the daemon checks ids and kinds, the library does not.
            await #expect(
                throws: TrackerClientError.invalidTaskID("a/b", reason: "contains '/'; allowed are A-Z a-z 0-9 _ - . :")
            ) {
                _ = try await client.add(["ok-1", "a/b"])
            }
            await #expect(throws: TrackerClientError.unknownKind("podcast")) {
                _ = try await client.add(["ok-1"], kind: "podcast")
            }
            await #expect(throws: TrackerClientError.tooManyIDs(max: 100_000)) {
                _ = try await client.get((0...100_000).map { "id-\($0)" })
            }
            await #expect(
                throws: TrackerClientError.refused(
                    name: "org.varlink.service.InvalidParameter", parameters: ["parameter": #""limit""#])
            ) {
                _ = try await client.list(limit: 0)
            }
            // Nothing was added by the refused calls, and the connection still works.
            #expect(try await client.get(["ok-1"]).first?.isUntracked == true)
        }
    }

    @Test func statsShowCountsAndTheAPIState() async throws {
        try await DaemonFixture.with { fixture in
            let client = try await fixture.client()
            _ = try await client.add(["st-1"])
            _ = try await client.wait(ids: ["st-1"], timeout: .seconds(20))
            let stats = try await client.stats()
            #expect(stats.version == "0.1.0")
            #expect(stats.tasks["SUCCESS"] == 1)
            #expect(stats.apiState == "ok" && stats.apiError == nil)
            #expect((stats.checksTotal ?? 0) >= 1 && stats.checksFailed != nil)
            #expect((stats.uptime ?? -1) >= 0)
            #expect(stats.watchers == 0)
        }
    }

    @Test func watchDeliversChangesAndReplaysFromACursor() async throws {
        try await DaemonFixture.with { fixture in
            fixture.simulator.script("w-1", [.pending, .success(runID: 77)])
            let client = try await fixture.client()
            let events = try await client.watch(ids: ["w-1"])
            _ = try await client.add(["w-1", "other-1"])

            var last: TrackerEvent?
            for try await event in events {
                #expect(event.task.taskID == "w-1")
                #expect(event.seq > (last?.seq ?? 0))
                last = event
                if event.task.status == "SUCCESS" { break }
            }
            let success = try #require(last)
            #expect(success.task.runID == 77 && success.task.terminal)

            // A new watch from before that event replays it first.
            var replayed: TrackerEvent?
            for try await event in try await client.watch(since: success.seq - 1) {
                replayed = event
                break
            }
            #expect(replayed?.seq == success.seq && replayed?.task.status == "SUCCESS")
        }
    }

    @Test func aWatchEndsWithDisconnectedWhenTheDaemonGoesAway() async throws {
        try await DaemonFixture.with { fixture in
            let client = try await fixture.client()
            _ = try await client.add(["gone-1"])
            let events = try await client.watch(since: 0)
            var iterator = events.makeAsyncIterator()
            #expect(try await iterator.next()?.task.taskID == "gone-1")
            await fixture.daemon.stop()
            await #expect(throws: TrackerClientError.disconnected(path: fixture.daemon.socketPath)) {
                while try await iterator.next() != nil {}
            }
            await #expect(throws: TrackerClientError.disconnected(path: fixture.daemon.socketPath)) {
                _ = try await client.stats()
            }
        }
    }

    @Test func aMissingDaemonIsUnreachable() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory(prefix: "ttstrack-client")
        let path = "\(directory)/none.sock"
        await #expect(throws: TrackerClientError.unreachable(path: path, reason: "No such file or directory")) {
            _ = try await TrackerClient.connect(to: path)
        }
    }

    @Test func theDefaultSocketPathFollowsTheDaemonsRule() {
        #expect(TrackerClient.defaultSocketPath(environment: ["TTSTRACK_SOCKET": "/x/y.sock"]) == "/x/y.sock")
        let runtime = DaemonProcess.makeTemporaryDirectory(prefix: "ttstrack-client")
        // Present, so the fallback to a system daemon's socket does not apply.
        #expect(FileManager.default.createFile(atPath: "\(runtime)/io.ttstrack.Tracker", contents: nil))
        #expect(
            TrackerClient.defaultSocketPath(environment: ["RUNTIME_DIRECTORY": "\(runtime):/other"])
                == "\(runtime)/io.ttstrack.Tracker")
    }
}
