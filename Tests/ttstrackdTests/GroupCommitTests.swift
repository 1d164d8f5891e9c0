import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Many programs adding one id each at once: every call is answered with its own counts, and
/// every acknowledged id is on disk (it survives kill -9) however the calls were grouped.
@Suite(.timeLimit(.minutes(2))) struct GroupCommitTests {
    @Test func sixtyFourConcurrentSingleIdAddsAreAllAcknowledgedAndSurviveKill9() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            let path = test.daemon.socketPath
            // Each client adds its own ids one per call, and one id all clients share.
            let replies = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for client in 0..<64 {
                    group.addTask {
                        try await blocking {
                            let connection = try VarlinkClient(path: path)
                            var added: [Int64] = []
                            for call in 0..<20 {
                                let reply = try connection.call(
                                    "io.ttstrack.Tracker.Add", ["ids": [.string("g\(client)-\(call)")]])
                                added.append(reply["added"]?.int ?? -1)
                            }
                            let shared = try connection.call("io.ttstrack.Tracker.Add", ["ids": ["shared"]])
                            added.append(shared["added"]?.int ?? -1)
                            return added
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.count == 64)
            #expect(replies.allSatisfy { $0.prefix(20).allSatisfy { $0 == 1 } }, "every fresh id added")
            #expect(
                replies.map { $0[20] }.sorted() == Array(repeating: 0, count: 63) + [1],
                "the shared id added once, existing 63 times")
            #expect(await test.daemon.stop(signal: SIGKILL) != 0)
            try await test.restart()
            let ids = (0..<64).flatMap { client in (0..<20).map { JSONValue.string("g\(client)-\($0)") } }
            let got = try await test.call("io.ttstrack.Tracker.Get", ["ids": .array(ids + ["shared"])])
            let lost = (got["tasks"]?.array ?? []).filter { $0["status"] != "PENDING" }
            #expect(got["tasks"]?.array?.count == ids.count + 1)
            #expect(lost.isEmpty, "\(lost.count) acknowledged ids lost, e.g. \(lost.prefix(3))")
        }
    }
}
