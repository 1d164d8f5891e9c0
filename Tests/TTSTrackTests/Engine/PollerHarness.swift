import CambSimulator
import Logging
import Synchronization
import TTSTrack
import TTSTrackTestSupport

/// A store, the real API client and a running scheduler against an in-process simulator.
final class PollerHarness: Sendable {
    let simulator: CambSimulator
    let store: TaskStore
    let client: CambClient
    let scheduler: Scheduler
    private let runner = Mutex<Task<Void, Never>?>(nil)

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
        defaultBehavior: CambSimulator.DefaultBehavior = .alwaysPending, startPolling: Bool = true
    ) async throws {
        simulator = CambSimulator(apiKey: "sim-key", defaultBehavior: defaultBehavior)
        try await simulator.start()
        (store, _) = try makeStore()
        client = CambClient(settings: .init(baseURL: simulator.baseURL, apiKey: apiKey, timeout: timeout))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        scheduler = Scheduler(
            store: store, checker: client, policy: policy, tickInterval: .milliseconds(20), logger: logger)
        if startPolling { start() }
    }

    /// Starts the scheduler (once).
    func start() {
        let scheduler = self.scheduler
        runner.withLock { runner in
            if runner == nil { runner = Task { await scheduler.run(grace: .seconds(1)) } }
        }
    }

    /// Adds the ids as the daemon does, through the scheduler, which places their first checks.
    func add(_ ids: [String], kind: String = "tts") async throws {
        _ = try await scheduler.add(ids, kind: kind)
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
        let runner = self.runner.withLock { $0 }
        runner?.cancel()
        await runner?.value
        try await client.shutdown()
        try await simulator.shutdown()
    }
}
