import Logging
import Synchronization
import TTSTrackWire
import Testing

@testable import TTSTrack

/// What a scrape reads at the moment it is made: tasks by status and kind from the store, the
/// schedule's figures from its provider; a series that is gone since reads 0, not its old value.
@Suite struct MetricsCollectorTests {
    struct NoChecks: StatusChecker {
        func check(kind: String, taskID: String) async -> CheckOutcome { .cancelled }
    }

    @Test func scrapeTimeFiguresFollowTheStoreAndTheScheduleProvider() async throws {
        let (store, _) = try makeStore()
        let logger = Logger(label: "test")
        let scheduler = Scheduler(store: store, checker: NoChecks(), policy: PollPolicy(), logger: logger)
        let learned = Mutex(["dub": LearnedDurations(finishes: 12, median: 4.5, p90: 20)])
        let collector = MetricsCollector(
            factory: DaemonMetricsFactory(), store: store, scheduler: scheduler,
            learned: { learned.withLock { $0 } }, logger: logger)
        try await store.add(["a", "b"], dueAt: .now())
        _ = try await scheduler.add(["c"], kind: "dub")

        var text = String(decoding: await collector.scrape(), as: UTF8.self)
        #expect(text.contains(#"ttstrack_tasks{kind="tts",status="PENDING"} 2.0"#), "\(text)")
        #expect(text.contains(#"ttstrack_tasks{kind="dub",status="PENDING"} 1.0"#))
        #expect(text.contains(#"ttstrack_schedule_finishes{kind="dub"} 12.0"#))
        #expect(text.contains(#"ttstrack_schedule_finishes{kind="tts"} 0.0"#), "every kind, 0 until learned")
        #expect(text.contains(#"ttstrack_schedule_duration_seconds{kind="dub",quantile="0.9"} 20.0"#))
        #expect(text.contains(#"ttstrack_api_state{state="ok"} 1.0"#))

        try await store.remove(["a", "b"], now: .now())
        learned.withLock { $0 = [:] }
        text = String(decoding: await collector.scrape(), as: UTF8.self)
        #expect(text.contains(#"ttstrack_tasks{kind="tts",status="PENDING"} 0.0"#), "gone: 0, not the old 2")
        #expect(text.contains(#"ttstrack_tasks{kind="dub",status="PENDING"} 1.0"#))
        #expect(text.contains(#"ttstrack_schedule_duration_seconds{kind="dub",quantile="0.9"} 0.0"#))
    }
}
