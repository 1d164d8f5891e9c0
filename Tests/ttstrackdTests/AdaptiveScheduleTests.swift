import CambSimulator
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// The adaptive schedule, seen from outside: Stats and /metrics tell what was learned of a kind's
/// durations once enough tasks finished, and the daemon still knows it after a restart.
@Suite(.timeLimit(.minutes(2))) struct AdaptiveScheduleTests {
    func learned(_ test: DaemonFixture) async throws -> [String: JSONValue] {
        let reply = try await test.call("io.ttstrack.Tracker.Stats")
        guard case .object(let schedule)? = reply["schedule"] else { return [:] }
        return schedule
    }

    @Test func statsAndMetricsShowTheLearnedDurationsOfAKindAndARestartKeepsThem() async throws {
        let port = try freeLoopbackPort()
        try await DaemonFixture.with(environment: ["TTSTRACK_METRICS_LISTEN": "127.0.0.1:\(port)"]) { test in
            test.simulator.setDurations(TaskDurations(["dub": .uniform(0.3, 0.9)], seed: 4))
            let few = (0..<5).map { "dub-\($0)" }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(few), "kind": "dub"])
            _ = try await test.call("io.ttstrack.Tracker.Wait", ["ids": ids(few), "timeout": 30])
            let early = try await learned(test)
            #expect(early["dub"]?["finishes"]?.int == 5)
            #expect(early["dub"]?["median"] == .null, "five finishes are too few to tell")

            // 28: the law is fitted at 20 finishes and again every 8, so the running daemon's figures
            // are those of all 28, as the restarted one's are.
            let more = (5..<28).map { "dub-\($0)" }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(more), "kind": "dub"])
            let done = try await test.call("io.ttstrack.Tracker.Wait", ["ids": ids(more), "timeout": 30])
            #expect(done["done"]?.bool == true)
            try await eventually(timeout: .seconds(10)) {
                (try? await learned(test)["dub"]?["finishes"]?.int) == 28
            }
            let before = try await learned(test)
            guard case .double(let median)? = before["dub"]?["median"], case .double(let p90)? = before["dub"]?["p90"]
            else {
                Issue.record("no median and p90 after 28 finishes: \(before)")
                return
            }
            // Each took 0.3–0.9 s from its first check, which comes 0.05 s or so after Add.
            #expect(median > 0.2 && median < 1.5 && p90 >= median && p90 < 2)
            #expect(before["tts"] == nil, "a kind with no finishes is not listed")
            let scrape = try await Scrape.take(port: port)
            #expect(scrape.value("ttstrack_schedule_finishes", ["kind": "dub"]) == 28)
            #expect(scrape.value("ttstrack_schedule_duration_seconds", ["kind": "dub", "quantile": "0.5"]) == median)
            #expect(scrape.value("ttstrack_schedule_duration_seconds", ["kind": "dub", "quantile": "0.9"]) == p90)

            try await test.restart()
            #expect(try await learned(test) == before, "the learned durations survive a restart")
        }
    }
}
