public import Logging
import ServiceLifecycle
import Synchronization
import TTSTrackWire

/// Polls the due tasks. It joins small parts that each have one job: the ``Heartbeat`` (a
/// Dispatch timer, armed for each next deadline), the ``DueFeeder`` (due tasks in due order,
/// claimed until their results commit), the ``DispatchGate`` (one token bucket and the API's
/// health for all API work), the ``WorkerPool`` (how many checks run at once) and the
/// ``ResultWriter`` (one transaction per tick). The actor only decides when each part acts.
///
/// One loop drives it: each wake-up may tick (write results, read due tasks, tell the health
/// reporter), then starts as many checks as the pool, the gate and the ready tasks allow, each
/// as a child task that goes straight on with the next admitted task while the pool keeps its
/// slot. With work in hand it ticks every `tickInterval`; with none it sleeps until the soonest
/// task is due.
public actor Scheduler {
    /// Counters for `Stats` and `STATUS=`.
    public struct Snapshot: Sendable {
        public var checksTotal: Int
        public var checksFailed: Int
        public var health: APIHealth
        public var inFlight: Int
        public var storeError: String?
        /// Counts the API health transitions logged, so `STATUS=` can follow each one at once.
        public var healthTransitions = 0
    }

    /// Whether the loop takes new work.
    private enum Phase {
        case running
        /// Graceful shutdown: no new checks; those in flight get until the deadline.
        case draining(until: ContinuousClock.Instant)
        /// The loop has ended: what is still in flight is being cancelled.
        case stopped
    }

    private var healthTransitions = 0
    private let store: TaskStore
    private let checker: any StatusChecker
    private let logger: Logger
    private let tickInterval: Duration
    /// Longest sleep with nothing due: the loop still looks around now and then.
    private let idleLimit: Duration
    private let clock = ContinuousClock()
    private let heartbeat = Heartbeat()
    /// The policy, readable without a hop onto the actor: ``add(_:kind:)`` places first checks by it.
    private nonisolated let currentPolicyBox: Mutex<PollPolicy>
    private nonisolated let shutdownRequested = Atomic<Bool>(false)

    private var policy: PollPolicy
    private var gate: DispatchGate
    private var feeder = DueFeeder()
    private var pool: WorkerPool
    private var writer = ResultWriter()
    private var phase = Phase.running
    private var random = SystemRandomNumberGenerator()
    private var nextTickAt: ContinuousClock.Instant
    private var checksTotal = 0
    private var checksFailed = 0
    private var storeError: String?
    /// Called on every tick; returns when it wants the next one at the latest.
    private var onTick: (@Sendable () async -> ContinuousClock.Instant?)?
    /// What the tick handler last asked for.
    private var tickWants: ContinuousClock.Instant?

    public init(
        store: TaskStore, checker: any StatusChecker, policy: PollPolicy, tickInterval: Duration = .milliseconds(50),
        idleLimit: Duration = .seconds(60), logger: Logger
    ) {
        self.store = store
        self.checker = checker
        self.policy = policy
        self.currentPolicyBox = Mutex(policy)
        self.tickInterval = tickInterval
        self.idleLimit = idleLimit
        self.logger = logger
        let now = ContinuousClock.now
        self.gate = DispatchGate(rate: policy.rate, burst: policy.burst, now: now)
        self.pool = WorkerPool(limit: policy.concurrency)
        self.nextTickAt = now
    }

    /// Called on every tick (the watchdog hangs off it: a stuck scheduler trips it); the handler
    /// returns by when it wants the next tick, so an idle daemon still wakes for it.
    public func setTickHandler(_ handler: (@Sendable () async -> ContinuousClock.Instant?)?) {
        onTick = handler
    }

    /// Applies new `poll.*` settings (reload); in-flight checks are not disturbed, and the
    /// number in flight follows the new `poll.concurrency` either way.
    public func reconfigure(_ policy: PollPolicy) {
        self.policy = policy
        currentPolicyBox.withLock { $0 = policy }
        gate.reconfigure(rate: policy.rate, burst: policy.burst)
        pool.resize(to: policy.concurrency)
        heartbeat.wakeNow()
    }

    public nonisolated var currentPolicy: PollPolicy { currentPolicyBox.withLock { $0 } }

    public func snapshot() -> Snapshot {
        Snapshot(
            checksTotal: checksTotal, checksFailed: checksFailed, health: gate.health, inFlight: pool.inFlight,
            storeError: storeError, healthTransitions: healthTransitions)
    }

    /// Starts tracking `ids`: each one's first check is placed by the ``Schedule``, and once they
    /// are committed the loop looks afresh at what is due.
    public nonisolated func add(_ ids: [String], kind: String) async throws -> (added: Int, existing: Int) {
        let policy = currentPolicy
        let now = Timestamp.now()
        var random = SystemRandomNumberGenerator()
        let firstChecks = ids.map { _ in Schedule.firstCheck(addedAt: now, policy: policy, using: &random) }
        let result = try await store.add(ids, kind: kind, now: now, firstChecks: firstChecks)
        if result.added > 0 { heartbeat.wakeNow() }
        return result
    }

    /// Polls until graceful shutdown (or cancellation); then stops taking new checks, gives
    /// in-flight ones `grace` to finish, abandons the rest (they stay due) and commits.
    public func run(grace: Duration = .seconds(5)) async {
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                heartbeat.wakeNow()
                for await _ in heartbeat.wakes {
                    if Task.isCancelled { break }
                    if shutdownRequested.load(ordering: .relaxed), case .running = phase {
                        phase = .draining(until: clock.now + grace)
                    }
                    if case .draining(let until) = phase {
                        if pool.inFlight == 0 || clock.now >= until { break }
                        heartbeat.arm(at: until, leeway: .milliseconds(10))
                        continue
                    }
                    for task in await step() {
                        group.addTask { await self.work(from: task) }
                    }
                }
            } onGracefulShutdown: {
                self.shutdownRequested.store(true, ordering: .relaxed)
                self.heartbeat.wakeNow()
            }
            phase = .stopped
            heartbeat.finish()
            group.cancelAll()
        }
        await flush()
        if !writer.isEmpty {
            logger.error("Results could not be written at shutdown", metadata: ["ttstrack.lost": "\(writer.count)"])
        }
    }

    // MARK: Workers

    /// One slot of the pool: checks `first`, then each next task the gate admits at once.
    private nonisolated func work(from first: DueTask) async {
        var next: DueTask? = first
        while let task = next {
            let outcome = await checker.check(kind: task.kind, taskID: task.taskID)
            next = await finish(task, outcome)
        }
    }

    /// Records one outcome; returns the next task for the same slot, or nil when the slot is
    /// given up (nothing ready, no token, a lowered limit, shutdown) and the loop takes over.
    private func finish(_ task: DueTask, _ outcome: CheckOutcome) -> DueTask? {
        let now = clock.now
        if case .cancelled = outcome {
            gate.record(outcome, now: now)
            feeder.release(task.taskID)
        } else {
            checksTotal += 1
            switch outcome {
            case .report, .notFound: break
            default: checksFailed += 1
            }
            if let transition = gate.record(outcome, now: now) {
                log(transition)
                healthTransitions += 1
                // The next step ticks, and the tick handler tells systemd within a second.
                nextTickAt = now
            }
            if let update = CheckRules.update(for: task, outcome: outcome, now: .now(), policy: policy, using: &random)
            {
                writer.append(update)
            } else {
                feeder.release(task.taskID)
                feeder.mayHaveMore()
            }
        }
        if case .running = phase, !Task.isCancelled, pool.mayContinue, feeder.hasReady, !writer.isFull,
            case .admit = gate.admit(now: now)
        {
            return feeder.take()
        }
        pool.finished()
        heartbeat.wakeNow()
        return nil
    }

    private func log(_ transition: APIHealth.Transition) {
        switch transition {
        case .recovered:
            logger.info("API answers normally again")
        case .unreachable(let error):
            logger.warning("API unreachable", metadata: ["ttstrack.error": "\(error)"])
        case .unauthorized(let error):
            logger.error("API refused the key; polling paused", metadata: ["ttstrack.error": "\(error)"])
        case .rateLimited(let pause):
            logger.warning("API rate limit hit; polling paused", metadata: ["ttstrack.pause": "\(pause)"])
        }
    }

    // MARK: The loop's step

    /// One wake-up: ticks when due, returns the checks to start, and arms the next wake-up.
    private func step() async -> [DueTask] {
        if clock.now >= nextTickAt || writer.isFull {
            nextTickAt = clock.now + tickInterval
            await flush()
            feeder.mayHaveMore()
            tickWants = await onTick?()
        }
        var started: [DueTask] = []
        var wait: ContinuousClock.Instant?
        var read = false
        dispatching: while pool.hasRoom {
            guard feeder.hasReady else {
                guard feeder.mayHaveDue, !read else { break }
                await refill()
                read = true
                continue
            }
            switch gate.admit(now: clock.now) {
            case .admit:
                guard let task = feeder.take() else { break dispatching }
                pool.started()
                started.append(task)
            case .waitUntil(let instant):
                wait = instant
                break dispatching
            case .waitForOutcome:
                break dispatching
            }
        }
        if !read && feeder.wantsRead(batchSize: batchSize) { await refill() }
        await armNextWake(wait: wait)
        return started
    }

    private var batchSize: Int {
        let byRate = policy.rate <= 0 ? 2048 : Int(min(2048, max(policy.rate, 1)))
        return max(policy.concurrency * 2, byRate)
    }

    /// With work in hand, the next tick stays `tickInterval` away; with none, it moves to the
    /// soonest due task, a pause's end, or what the tick handler wants, whichever comes first.
    private func armNextWake(wait: ContinuousClock.Instant?) async {
        let now = clock.now
        if pool.inFlight == 0 && writer.isEmpty && !feeder.mayHaveDue {
            var until = now + idleLimit
            if feeder.hasReady {
                if let wait { until = min(until, wait) }
            } else {
                do {
                    if let due = try await store.nextDueAt() {
                        until = min(until, now + .milliseconds(due.rawValue - Timestamp.now().rawValue))
                    }
                } catch {
                    noteStoreError(error, while: "reading the next due time")
                }
            }
            if let tickWants { until = min(until, tickWants) }
            nextTickAt = max(until, now + tickInterval)
        }
        var deadline = nextTickAt
        if let wait, feeder.hasReady, pool.hasRoom { deadline = min(deadline, wait) }
        // A token is due within milliseconds and the rate depends on it; a long sleep may be
        // late by a little, so the system can fold it into other wake-ups.
        let leeway = min(max(.milliseconds(1), (deadline - now) / 20), .milliseconds(500))
        heartbeat.arm(at: deadline, leeway: leeway)
    }

    // MARK: Reading due tasks, writing results

    private func refill() async {
        let read = feeder.nextRead(limit: batchSize, now: clock.now)
        do {
            let due = try await store.dueTasks(
                now: .now(), limit: read.limit, after: read.after, excluding: read.excluding)
            feeder.accept(due, of: read)
            // Reads work; an error from writing results stands until a write succeeds.
            if writer.isEmpty { storeError = nil }
        } catch {
            feeder.readFailed()
            noteStoreError(error, while: "reading due tasks")
        }
    }

    private func flush() async {
        guard !writer.isEmpty else { return }
        let batch = writer.takeBatch()
        do {
            try await store.apply(batch, now: .now())
            for update in batch { feeder.release(update.taskID) }
            feeder.mayHaveMore()
            storeError = nil
        } catch {
            writer.restore(batch)
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
}
