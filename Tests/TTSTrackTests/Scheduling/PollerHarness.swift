import CambSimulator
import Logging
import TTSTrack
import TTSTrackTestSupport

/// A store, the real API client and a running scheduler against an in-process simulator.
final class PollerHarness: Sendable {
    let simulator: CambSimulator
    let store: TaskStore
    let client: CambClient
    let hub = ChangeHub()
    let scheduler: Scheduler
    private let runner: Task<Void, Never>

    /// Fast polling by default: checks 50 ms apart, no jitter, no rate limit.
    static func fastPolicy() -> PollPolicy {
        var policy = PollPolicy()
        policy.firstDelay = 0
        policy.minInterval = 0.05
        policy.maxInterval = 0.05
        policy.backoff = 1
        policy.jitter = 0
        policy.rate = 0
        policy.concurrency = 8
        return policy
    }

    init(
        policy: PollPolicy = PollerHarness.fastPolicy(), timeout: Double = 5, apiKey: String = "sim-key",
        defaultBehavior: CambSimulator.DefaultBehavior = .alwaysPending
    ) async throws {
        simulator = CambSimulator(apiKey: "sim-key", defaultBehavior: defaultBehavior)
        try await simulator.start()
        (store, _) = try makeStore()
        client = CambClient(settings: .init(baseURL: simulator.baseURL, apiKey: apiKey, timeout: timeout))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        scheduler = Scheduler(
            store: store, checker: client, hub: hub, policy: policy, tickInterval: .milliseconds(20), logger: logger)
        let scheduler = self.scheduler
        runner = Task { await scheduler.run(grace: .seconds(1)) }
    }

    func add(_ ids: [String], kind: String = "tts") async throws {
        _ = try await store.add(ids, kind: kind, now: .now()) { _ in .now() }
    }

    func task(_ id: String) async throws -> TrackedTask {
        try await store.get([id])[0]
    }

    /// Waits until `id` is terminal (or `timeout` passes) and returns it.
    func waitTerminal(_ id: String, timeout: Duration = .seconds(30)) async throws -> TrackedTask {
        try await eventually(timeout: timeout) { try await self.task(id).terminal }
        return try await task(id)
    }

    func stop() async throws {
        runner.cancel()
        await runner.value
        try await client.shutdown()
        try await simulator.shutdown()
    }
}
