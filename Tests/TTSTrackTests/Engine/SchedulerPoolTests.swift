import Logging
import TTSTrack
import TTSTrackTestSupport
import Testing

/// The scheduler with a checker that holds its checks: how many run at once, decided by the
/// pool and nothing else (no TCP, no timing).
@Suite(.timeLimit(.minutes(1))) struct SchedulerPoolTests {
    @Test func checksInFlightFollowReloadsOfConcurrencyBothWays() async throws {
        let (store, _) = try makeStore()
        var policy = PollerHarness.fastPolicy()
        policy.concurrency = 16
        let checker = HeldChecker()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let scheduler = Scheduler(
            store: store, checker: checker, policy: policy, tickInterval: .milliseconds(10), logger: logger)
        let runner = Task { await scheduler.run(grace: .seconds(1)) }
        _ = try await scheduler.add((0..<500).map { "load-\($0)" }, kind: "tts")

        try await eventually("16 in flight") { checker.inFlight == 16 }
        #expect(await scheduler.snapshot().inFlight == 16)

        policy.concurrency = 4
        await scheduler.reconfigure(policy)
        checker.resetMax()
        // Under load: each round answers every check held; the workers that finish go on only
        // while the pool is within its new limit.
        for _ in 0..<5 {
            checker.releaseAll()
            try await eventually("4 in flight after lowering") { checker.inFlight == 4 }
        }
        #expect(checker.maxInFlight <= 16, "none started beyond those already in flight")
        checker.resetMax()
        checker.releaseAll()
        try await eventually("4 in flight") { checker.inFlight == 4 }
        #expect(checker.maxInFlight == 4, "lowered: never more than 4 at once")

        policy.concurrency = 32
        await scheduler.reconfigure(policy)
        try await eventually("32 in flight after raising") { checker.inFlight == 32 }
        checker.resetMax()
        checker.releaseAll()
        try await eventually("32 again") { checker.inFlight == 32 }
        #expect(checker.maxInFlight == 32)
        #expect(await scheduler.snapshot().inFlight == 32)

        runner.cancel()
        await runner.value
    }
}
