public import Logging
import ServiceLifecycle
import TTSTrackWire

/// Polls the due tasks: a `DispatchSourceTimer` ticks (``TimerTicks``), and a pool of
/// `poll.concurrency` workers takes due tasks, oldest due first, as the token bucket allows.
///
/// Results are buffered and written in one transaction per tick; a task stays *claimed* from
/// the moment it is read as due until its result is committed, so it is never checked twice
/// at once. Due tasks are read from the store in batches, so memory does not grow with the
/// number of tracked tasks.
public actor Scheduler {
    /// Counters for `Stats` and `STATUS=`.
    public struct Snapshot: Sendable {
        public var checksTotal: Int
        public var checksFailed: Int
        public var health: APIHealth
        public var inFlight: Int
        public var storeError: String?
    }

    private let store: TaskStore
    private let checker: any StatusChecker
    private let hub: ChangeHub
    private let logger: Logger
    private let tickInterval: Duration
    private let clock = ContinuousClock()
    private var policy: PollPolicy
    private var bucket: TokenBucket
    private var random = SystemRandomNumberGenerator()

    private var ready = FIFO<DueTask>()
    private var claimed = Set<String>()
    /// Where the last full batch of due tasks ended; nil after a short batch (the due set was
    /// read to its end), so the next read starts over from the oldest due.
    private var dueCursor: DueTask.Cursor?
    /// When the cursor last started over. It does so at least every second, so a task that
    /// lands before it anyway (a cancelled check, a clock stepped back) waits one second at most.
    private var cursorStartedAt = ContinuousClock.now
    private var pending: [TaskUpdate] = []
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var fetching = false
    private var tokenSleeping = false
    private var flushing = false
    private var mayHaveDue = true
    private var stopping = false
    private var probeInFlight = false
    private var health = APIHealth()
    private var checksTotal = 0
    private var checksFailed = 0
    private var storeError: String?
    private var onTick: (@Sendable () async -> Void)?

    /// Results written per transaction at most; more are written before the next tick.
    private let flushThreshold = 4096

    public init(
        store: TaskStore, checker: any StatusChecker, hub: ChangeHub, policy: PollPolicy,
        tickInterval: Duration = .milliseconds(50), logger: Logger
    ) {
        self.store = store
        self.checker = checker
        self.hub = hub
        self.policy = policy
        self.tickInterval = tickInterval
        self.logger = logger
        self.bucket = TokenBucket(rate: policy.rate, burst: policy.burst, now: ContinuousClock.now)
    }

    /// Called at the end of every tick (the watchdog hangs off it: a stuck scheduler trips it).
    public func setTickHandler(_ handler: (@Sendable () async -> Void)?) {
        onTick = handler
    }

    /// Applies new `poll.*` settings (reload); in-flight checks are not disturbed.
    public func reconfigure(_ policy: PollPolicy) {
        self.policy = policy
        bucket.reconfigure(rate: policy.rate, burst: policy.burst)
        wakeAll()
    }

    public var currentPolicy: PollPolicy { policy }

    public func snapshot() -> Snapshot {
        Snapshot(
            checksTotal: checksTotal, checksFailed: checksFailed, health: health, inFlight: inFlight,
            storeError: storeError)
    }

    /// Polls until graceful shutdown (or cancellation); then stops taking new checks, gives
    /// in-flight ones `grace` to finish, abandons the rest (they stay due) and commits.
    public func run(grace: Duration = .seconds(5)) async {
        await withDiscardingTaskGroup { group in
            var workers = 0
            for await _ in TimerTicks(interval: tickInterval).cancelOnGracefulShutdown() {
                await tick()
                while workers < policy.concurrency {
                    let index = workers
                    group.addTask { await self.worker(index) }
                    workers += 1
                }
            }
            stopping = true
            wakeAll()
            let deadline = clock.now + grace
            while inFlight > 0 && clock.now < deadline {
                try? await Task.sleep(for: .milliseconds(10))
            }
            group.cancelAll()
        }
        await flush()
        if !pending.isEmpty {
            logger.error("Results could not be written at shutdown", metadata: ["ttstrack.lost": "\(pending.count)"])
        }
    }

    // MARK: Workers

    private func worker(_ index: Int) async {
        while let task = await nextTask(index) {
            let outcome = await checker.check(kind: task.kind, taskID: task.taskID)
            await complete(task, outcome)
        }
    }

    private func nextTask(_ index: Int) async -> DueTask? {
        while true {
            if stopping || index >= policy.concurrency || Task.isCancelled { return nil }
            if let task = takeReady() { return task }
            if ready.isEmpty && mayHaveDue && !fetching && mayDispatch() {
                await refill()
                continue
            }
            if !ready.isEmpty && !tokenSleeping && isOnlyShortOfTokens() {
                // Sleep until the next token is due rather than until the next tick, so the
                // rate holds exactly even with a small burst.
                tokenSleeping = true
                try? await Task.sleep(for: .milliseconds(Int64(bucket.secondsUntilNextToken * 1000) + 1))
                tokenSleeping = false
                wakeAll()
                continue
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    /// True when only the token bucket stands between a ready task and a check.
    private func isOnlyShortOfTokens() -> Bool {
        guard !bucket.isUnlimited, bucket.available < 1 else { return false }
        if let until = health.pausedUntil, clock.now < until { return false }
        return !(health.state == .unauthorized && probeInFlight)
    }

    /// False while the API asked us to pause, or while a probe after 401/403 is out.
    private func mayDispatch() -> Bool {
        bucket.refill(now: clock.now)
        if let until = health.pausedUntil {
            if clock.now < until { return false }
            if health.state == .rateLimited {
                health.pausedUntil = nil
            }
        }
        if health.state == .unauthorized && probeInFlight { return false }
        return bucket.available >= 1
    }

    private func takeReady() -> DueTask? {
        guard !ready.isEmpty, mayDispatch(), bucket.take(), let task = ready.popFirst() else { return nil }
        if health.state == .unauthorized { probeInFlight = true }
        inFlight += 1
        return task
    }

    private func complete(_ task: DueTask, _ outcome: CheckOutcome) async {
        inFlight -= 1
        if case .unauthorized = outcome {} else if health.state == .unauthorized { probeInFlight = false }
        if case .cancelled = outcome {
            claimed.remove(task.taskID)
            return
        }
        checksTotal += 1
        record(outcome)
        let now = Timestamp.now()
        if let update = CheckRules.update(for: task, outcome: outcome, now: now, policy: policy, using: &random) {
            pending.append(update)
        } else {
            claimed.remove(task.taskID)
            mayHaveDue = true
        }
        if pending.count >= flushThreshold { await flush() }
    }

    /// Updates the API's health from one outcome, logging only transitions.
    private func record(_ outcome: CheckOutcome) {
        let before = health.state
        switch outcome {
        case .report, .notFound:
            if before != .ok { logger.info("API answers normally again") }
            health.state = .ok
            health.error = nil
            health.unauthorizedStreak = 0
            health.pausedUntil = nil
            probeInFlight = false
        case .failed(let reason, let transport):
            checksFailed += 1
            if transport {
                if before != .unreachable {
                    logger.warning("API unreachable", metadata: ["ttstrack.error": "\(reason)"])
                }
                health.state = .unreachable
            } else if before == .unreachable {
                health.state = .ok
            }
            health.error = reason
        case .unauthorized(let reason):
            checksFailed += 1
            // Answers to checks started before the pause began do not lengthen it.
            if health.pausedUntil.map({ clock.now >= $0 }) ?? true {
                health.unauthorizedStreak += 1
            }
            let pause = APIHealth.unauthorizedPause(streak: health.unauthorizedStreak)
            if before != .unauthorized {
                logger.error("API refused the key; polling paused", metadata: ["ttstrack.error": "\(reason)"])
            }
            health.state = .unauthorized
            health.error = reason
            health.pausedUntil = clock.now + .milliseconds(Int64(pause * 1000))
            probeInFlight = false
        case .rateLimited(let retryAfter):
            checksFailed += 1
            let pause = min(APIHealth.maxRateLimitPause, retryAfter ?? 1)
            logger.warning("API rate limit hit; polling paused", metadata: ["ttstrack.pause": "\(pause)"])
            health.state = .rateLimited
            health.error = "rate limited by the API (HTTP 429); paused for \(pause) s"
            let until = clock.now + .milliseconds(Int64(pause * 1000))
            health.pausedUntil = max(health.pausedUntil ?? until, until)
        case .cancelled:
            break
        }
    }

    // MARK: Tick, refill, flush

    private func tick() async {
        bucket.refill(now: clock.now)
        await flush()
        mayHaveDue = true
        if ready.count < batchSize / 2 && !fetching && !stopping {
            await refill()
        }
        // Workers only need waking when there is work: an idle daemon does not spin them.
        if !ready.isEmpty { wakeAll() }
        if let onTick { await onTick() }
    }

    private var batchSize: Int {
        let byRate = bucket.isUnlimited ? 2048 : Int(min(2048, max(policy.rate, 1)))
        return max(policy.concurrency * 2, byRate)
    }

    private func refill() async {
        guard !fetching else { return }
        fetching = true
        defer {
            fetching = false
            if !ready.isEmpty || stopping { wakeAll() }
        }
        let limit = batchSize
        if clock.now - cursorStartedAt >= .seconds(1) {
            dueCursor = nil
        }
        if dueCursor == nil { cursorStartedAt = clock.now }
        do {
            let due = try await store.dueTasks(now: .now(), limit: limit, after: dueCursor, excluding: claimed)
            for task in due where claimed.insert(task.taskID).inserted {
                ready.append(task)
            }
            // Tasks handed out keep their old due time until their results commit, so they
            // all lie before the cursor: the next batch need not read past them. A task
            // re-scheduled by a result lands after it, in order.
            dueCursor = due.count >= limit ? due.last?.cursor : nil
            mayHaveDue = due.count >= limit
            // Reads work; an error from writing results stands until a write succeeds.
            if pending.isEmpty { storeError = nil }
        } catch {
            mayHaveDue = false
            noteStoreError(error, while: "reading due tasks")
        }
    }

    private func flush() async {
        guard !flushing, !pending.isEmpty else { return }
        flushing = true
        defer { flushing = false }
        let batch = pending
        pending = []
        do {
            let events = try await store.apply(batch, now: .now())
            for update in batch { claimed.remove(update.taskID) }
            storeError = nil
            hub.publish(events)
        } catch {
            pending = batch + pending
            noteStoreError(error, while: "writing check results")
        }
    }

    private func noteStoreError(_ error: any Error, while doing: String) {
        let text = "\(doing): \(error)"
        if storeError != text {
            logger.error("Store error", metadata: ["ttstrack.error": "\(text)"])
        }
        storeError = text
    }

    private func wakeAll() {
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting { waiter.resume() }
    }
}
