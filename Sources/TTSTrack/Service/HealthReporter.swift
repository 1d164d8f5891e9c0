#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells systemd how the daemon is doing, from the scheduler's own tick: `WATCHDOG=1` at half
/// of `$WATCHDOG_USEC` (so a stuck scheduler stops the pings and trips the watchdog) and a
/// `STATUS=` line with live counts every few seconds.
actor HealthReporter {
    private let notifier: SystemdNotifier
    private let store: TaskStore
    private let scheduler: Scheduler
    /// `nil` while a key is set; else what `STATUS=` says instead of the API's state.
    private let missingKey: @Sendable () -> String?
    private let watchdogInterval: Duration?
    private let statusInterval: Duration
    private let clock = ContinuousClock()
    private var lastWatchdog: ContinuousClock.Instant?
    private var lastStatus: ContinuousClock.Instant?
    private var lastChecks = 0
    private var lastStatusText = ""
    private var lastHealthTransitions = 0
    /// True while the last status line differed from the one before.
    private var statusMoving = true

    init(
        notifier: SystemdNotifier, store: TaskStore, scheduler: Scheduler, environment: [String: String],
        statusInterval: Duration = .seconds(5), missingKey: @escaping @Sendable () -> String? = { nil }
    ) {
        self.notifier = notifier
        self.store = store
        self.scheduler = scheduler
        self.missingKey = missingKey
        self.statusInterval = statusInterval
        self.watchdogInterval = Self.watchdogInterval(environment: environment)
    }

    /// Half of `$WATCHDOG_USEC`, when the watchdog is meant for this process.
    static func watchdogInterval(environment: [String: String], pid: Int32? = nil) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], let ownerPID = Int32(owner), ownerPID != (pid ?? currentPID()) {
            return nil
        }
        return .microseconds(usec / 2)
    }

    /// Sends what is due; returns by when it wants to be called again (the next watchdog ping,
    /// or a status line while the figures still move), nil when it needs nothing.
    func tick() async -> ContinuousClock.Instant? {
        let now = clock.now
        if let interval = watchdogInterval, lastWatchdog.map({ now - $0 >= interval }) ?? true {
            notifier.notify("WATCHDOG=1")
            lastWatchdog = now
        }
        await reportStatus(now: now)
        var wants: ContinuousClock.Instant?
        if let interval = watchdogInterval, let lastWatchdog { wants = lastWatchdog + interval }
        // A status line that changed may change again (a rate decays to 0): look once more.
        if statusMoving, let lastStatus {
            let next = lastStatus + statusInterval
            wants = min(wants ?? next, next)
        }
        return wants
    }

    private func reportStatus(now: ContinuousClock.Instant) async {
        guard notifier.socketPath != nil else { return }
        let snapshot = await scheduler.snapshot()
        // A change of the API's health is told at once, not at the next interval.
        let healthChanged = snapshot.healthTransitions != lastHealthTransitions
        guard healthChanged || lastStatus.map({ now - $0 >= statusInterval }) ?? true else { return }
        lastHealthTransitions = snapshot.healthTransitions
        let elapsed = lastStatus.map { now - $0 }
        lastStatus = now
        let counts = (try? await store.countsByStatus()) ?? [:]
        let results = (try? await store.scanner.countsByResultState()) ?? [:]
        var rate = 0.0
        if let elapsed {
            rate = Double(snapshot.checksTotal - lastChecks) / max(elapsed.seconds, 0.001)
        }
        lastChecks = snapshot.checksTotal
        let text = Self.statusLine(
            counts: counts, checksPerSecond: rate, snapshot: snapshot, results: results, missingKey: missingKey())
        statusMoving = text != lastStatusText
        if statusMoving {
            notifier.notify("STATUS=\(text)")
            lastStatusText = text
        }
    }

    /// E.g. `1234 pending, 56 done, 20.0 checks/s, API ok, 3 results pending, 1 failed`; with no key, `…, no API key: …`
    /// (`missingKey`) in place of the API's state, which would still say `ok` before any check.
    static func statusLine(
        counts: [String: Int], checksPerSecond: Double, snapshot: Scheduler.Snapshot, results: [String: Int] = [:],
        missingKey: String? = nil
    ) -> String {
        var pending = 0
        var done = 0
        for (status, count) in counts {
            if TaskStatus(status).isTerminal { done += count } else { pending += count }
        }
        let rate = (checksPerSecond * 10).rounded() / 10
        var line = "\(pending) pending, \(done) done, \(rate) checks/s, "
        line += missingKey.map { "no API key: \($0)" } ?? "API \(snapshot.health.state.rawValue)"
        if missingKey == nil, snapshot.health.state != .ok, let error = snapshot.health.error {
            line += ": \(error.prefix(160))"
        }
        // Results, once there are any waiting or given up: `3 results pending, 1 failed`.
        let resultsPending = results[ResultState.pending.rawValue] ?? 0
        let resultsFailed = results[ResultState.failed.rawValue] ?? 0
        if resultsPending > 0 || resultsFailed > 0 {
            line += ", \(resultsPending) results pending, \(resultsFailed) failed"
        }
        if let storeError = snapshot.storeError { line += ", store error: \(storeError.prefix(120))" }
        return line
    }
}

private func currentPID() -> Int32 { getpid() }
