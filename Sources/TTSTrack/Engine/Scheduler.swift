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

    /// One kind of work the loop starts.
    private enum WorkItem {
        case check(DueTask)
        case download(DueResult)
    }

    private var healthTransitions = 0
    private let store: TaskStore
    private let checker: any StatusChecker
    private let logger: Logger
    private let tickInterval: Duration
    /// Longest sleep with nothing due: the loop still looks around now and then.
    private let idleLimit: Duration
    private let clock = ContinuousClock()
    private let heartbeat: Heartbeat
    /// The policy, readable without a hop onto the actor: ``add(_:kind:)`` places first checks by it.
    private nonisolated let currentPolicyBox: Mutex<PollPolicy>
    /// Adaptive schedule: what was learned of each kind's durations, and the plans made of it,
    /// readable without a hop (``add(_:kind:)`` places first checks by them; Stats and the
    /// metrics show them). Written only by the actor, after each change of ``learner``.
    private nonisolated let plansBox = Mutex(SchedulePlans())
    /// The finishes seen, per kind: loaded from the store at start, fed by each commit.
    private var learner = DurationLearner()
    private var plans = SchedulePlans()
    private nonisolated let shutdownRequested = Atomic<Bool>(false)
    /// Concurrent `Add` calls share one durable commit: at most 10,000 ids a group, so one
    /// commit stays short and nobody waits long behind it.
    private nonisolated let adds: CommitQueue<PlannedAdd, AddCounts>

    private var policy: PollPolicy
    private var gate: DispatchGate
    private var feeder = DueFeeder<DueTask>()
    private var pool: WorkerPool
    private var writer = ResultWriter<TaskUpdate>()
    /// Result downloads: the same life as checks, their own pool, the same gate.
    private let fetcher: (any ResultFetcher)?
    private var results: ResultPolicy
    private var resultFeeder = DueFeeder<DueResult>()
    private var resultPool: WorkerPool
    private var resultWriter = ResultWriter<ResultUpdate>()
    private var phase = EnginePhase.running
    private var random = SystemRandomNumberGenerator()
    private var nextTickAt: ContinuousClock.Instant
    private var checksTotal = 0
    private var checksFailed = 0
    private var storeError: String?
    /// What `/metrics` counts of checks, results and pauses, and times of `Add`.
    private nonisolated let metrics: EngineMetrics
    /// Called on every tick; returns when it wants the next one at the latest.
    private var onTick: (@Sendable () async -> ContinuousClock.Instant?)?
    /// What the tick handler last asked for.
    private var tickWants: ContinuousClock.Instant?

    public init(
        store: TaskStore, checker: any StatusChecker, policy: PollPolicy, fetcher: (any ResultFetcher)? = nil,
        results: ResultPolicy = ResultPolicy(), tickInterval: Duration = .milliseconds(50),
        idleLimit: Duration = .seconds(60), logger: Logger
    ) {
        self.store = store
        let heartbeat = Heartbeat()
        self.heartbeat = heartbeat
        let metrics = EngineMetrics()
        self.metrics = metrics
        let ids: @Sendable (PlannedAdd) -> Int = { $0.request.ids.count }
        self.adds = CommitQueue(maxGroupWeight: 10_000, weight: ids, executor: store.writerExecutor) { group in
            let started = ContinuousClock.now
            defer { metrics.committed(ids: group.reduce(0) { $0 + ids($1) }, took: .now - started) }
            let counts = try await store.add(group)
            // Once a commit, however many calls it held: the loop looks afresh at what is due.
            if counts.contains(where: { $0.added > 0 }) { heartbeat.wakeNow() }
            return counts
        }
        self.checker = checker
        self.fetcher = fetcher
        self.results = results
        self.resultPool = WorkerPool(limit: results.concurrency)
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
    public func reconfigure(_ policy: PollPolicy, results: ResultPolicy? = nil) {
        if let results {
            self.results = results
            resultPool.resize(to: results.concurrency)
        }
        self.policy = policy
        currentPolicyBox.withLock { $0 = policy }
        publishPlans()
        gate.reconfigure(rate: policy.rate, burst: policy.burst)
        pool.resize(to: policy.concurrency)
        heartbeat.wakeNow()
    }

    public nonisolated var currentPolicy: PollPolicy { currentPolicyBox.withLock { $0 } }

    /// What the adaptive schedule has learned per kind (finishes seen, median and p90 seconds),
    /// cheap enough to read at every Stats call or metrics scrape.
    package nonisolated func learnedDurations() -> [String: LearnedDurations] {
        plansBox.withLock { $0.learned }
    }

    public func snapshot() -> Snapshot {
        Snapshot(
            checksTotal: checksTotal, checksFailed: checksFailed, health: gate.health, inFlight: pool.inFlight,
            storeError: storeError ?? store.checkpointFailure, healthTransitions: healthTransitions)
    }

    /// Starts tracking `ids` (one `Add` call); see ``add(_:)``.
    public nonisolated func add(
        _ ids: [String], kind: String, tag: String? = nil
    ) async throws -> (added: Int, existing: Int) {
        let counts = try await add(AddRequest(ids: ids, kind: kind, tag: tag))
        return (counts.added, counts.existing)
    }

    /// Starts tracking the ids of one `Add` call: each one's first check is placed by the
    /// ``Schedule``, the call joins the next group commit (``CommitQueue``), and once that commit
    /// has added ids the loop looks afresh at what is due (one wake-up a commit, not a call).
    public nonisolated func add(_ request: AddRequest) async throws -> AddCounts {
        let arrived = ContinuousClock.now
        let policy = currentPolicy
        let now = Timestamp.now()
        var random = SystemRandomNumberGenerator()
        let plan = plansBox.withLock { $0.plan(for: request.kind) }
        let firstChecks = request.ids.map { _ in
            Schedule.firstCheck(addedAt: now, policy: policy, plan: plan, using: &random)
        }
        defer { metrics.added(took: .now - arrived) }
        return try await adds.submit(PlannedAdd(request: request, now: now, firstChecks: firstChecks))
    }

    /// Polls until graceful shutdown (or cancellation); then stops taking new checks, gives
    /// in-flight ones `grace` to finish, abandons the rest (they stay due) and commits.
    public func run(grace: Duration = .seconds(5)) async {
        await loadFinishes()
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                heartbeat.wakeNow()
                for await _ in heartbeat.wakes {
                    if Task.isCancelled { break }
                    let beat = phase.beat(
                        shutdownRequested: shutdownRequested.load(ordering: .relaxed), now: clock.now, grace: grace,
                        idle: pool.inFlight == 0 && resultPool.inFlight == 0)
                    if case .stop = beat { break }
                    if case .wait(let until) = beat {
                        heartbeat.arm(at: until, leeway: .milliseconds(10))
                        continue
                    }
                    for item in await step() {
                        switch item {
                        case .check(let task): group.addTask { await self.work(from: task) }
                        case .download(let result): group.addTask { await self.download(from: result) }
                        }
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
        await flushResults()
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
            gate.record(outcome.observation, now: now)
            feeder.release(task.taskID)
        } else {
            checksTotal += 1
            metrics.checked(outcome)
            switch outcome {
            case .report, .notFound: break
            default: checksFailed += 1
            }
            record(outcome.observation, now: now)
            if var update = CheckRules.update(
                for: task, outcome: outcome, now: .now(), policy: policy, plan: plans.plan(for: task.kind),
                using: &random)
            {
                // A task that turns SUCCESS enqueues its download in the same transaction.
                if update.status == .success, task.status != .success, update.runID != nil,
                    results.fetches(kind: task.kind)
                {
                    update.resultDirectory = results.directory
                }
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

    /// One slot of the result pool: fetches `first`, then each next result the gate admits.
    private nonisolated func download(from first: DueResult) async {
        guard let fetcher else { return }
        var next: DueResult? = first
        while let item = next {
            let results = await currentResults
            let outcome = await fetcher.fetchResult(
                kind: item.kind, runID: item.runID, taskID: item.taskID, into: item.directory,
                maxBytes: results.maxBytes, media: results.media)
            next = await finish(item, outcome)
        }
    }

    private var currentResults: ResultPolicy { results }

    /// Records what one attempt came to; returns the next result for the same slot, or nil.
    private func finish(_ item: DueResult, _ outcome: ResultOutcome) -> DueResult? {
        let now = clock.now
        record(outcome.observation, now: now)
        metrics.fetched(outcome, lastAttempt: item.attempts + 1 >= results.maxAttempts)
        switch outcome {
        case .saved(let path, let bytes):
            resultWriter.append(
                ResultUpdate(
                    rowID: item.rowID, taskID: item.taskID, state: .done, path: path, bytes: bytes,
                    attempts: item.attempts))
        case .failed(let failure):
            let attempts = item.attempts + 1
            if attempts >= results.maxAttempts {
                logger.warning(
                    "Result given up", metadata: ["ttstrack.task": "\(item.taskID)", "ttstrack.error": "\(failure)"])
                resultWriter.append(
                    ResultUpdate(
                        rowID: item.rowID, taskID: item.taskID, state: .failed, error: failure.description,
                        attempts: attempts))
            } else {
                let delay = ResultPolicy.retryDelay(afterFailures: attempts, maxInterval: policy.maxInterval)
                resultWriter.append(
                    ResultUpdate(
                        rowID: item.rowID, taskID: item.taskID, state: .pending, error: failure.description,
                        attempts: attempts, nextAttemptAt: Timestamp.now().adding(seconds: delay)))
            }
        case .unauthorized, .rateLimited, .cancelled:
            // About the daemon, not the result: the attempt does not count, and it stays due.
            resultFeeder.release(item.taskID)
            resultFeeder.mayHaveMore()
        }
        if case .running = phase, !Task.isCancelled, resultPool.mayContinue, resultFeeder.hasReady,
            !resultWriter.isFull, case .admit = gate.admit(now: now)
        {
            return resultFeeder.take()
        }
        resultPool.finished()
        heartbeat.wakeNow()
        return nil
    }

    private var resultBatchSize: Int { max(results.concurrency * 4, 64) }

    private func refillResults() async {
        let read = resultFeeder.nextRead(limit: resultBatchSize, now: clock.now)
        do {
            let due = try await store.dueResults(
                now: .now(), limit: read.limit, after: read.after, excluding: read.excluding)
            resultFeeder.accept(due, of: read)
        } catch {
            resultFeeder.readFailed()
            noteStoreError(error, while: "reading due results")
        }
    }

    private func flushResults() async {
        guard !resultWriter.isEmpty else { return }
        let batch = resultWriter.takeBatch()
        do {
            try await store.applyResults(batch, now: .now())
            for update in batch { resultFeeder.release(update.taskID) }
            resultFeeder.mayHaveMore()
        } catch {
            resultWriter.restore(batch)
            noteStoreError(error, while: "writing result states")
        }
    }

    /// Fetches the results of the SUCCESS tasks among `ids` into `directory` now (on demand);
    /// returns the ids whose result will be fetched.
    public func requestResults(_ ids: [String], into directory: String) async throws -> [String] {
        let requested = try await store.requestResults(ids, into: directory, now: .now())
        if !requested.isEmpty {
            resultFeeder.mayHaveMore()
            heartbeat.wakeNow()
        }
        return requested
    }

    /// What one exchange of any API work showed: into the gate, and a change of the API's
    /// health logged once and told to systemd at the next step's tick.
    private func record(_ observation: APIObservation, now: ContinuousClock.Instant) {
        guard let transition = gate.record(observation, now: now) else { return }
        log(transition)
        metrics.transitioned(transition)
        healthTransitions += 1
        nextTickAt = now
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
    private func step() async -> [WorkItem] {
        if clock.now >= nextTickAt || writer.isFull || resultWriter.isFull {
            nextTickAt = clock.now + tickInterval
            await flush()
            await flushResults()
            feeder.mayHaveMore()
            resultFeeder.mayHaveMore()
            tickWants = await onTick?()
        }
        var started: [WorkItem] = []
        var wait: ContinuousClock.Instant?
        // Results first: they are few, bounded by their own pool, and someone waits for them.
        var readResults = false
        downloading: while fetcher != nil && resultPool.hasRoom {
            guard resultFeeder.hasReady else {
                guard resultFeeder.mayHaveDue, !readResults else { break }
                await refillResults()
                readResults = true
                continue
            }
            switch gate.admit(now: clock.now) {
            case .admit:
                guard let item = resultFeeder.take() else { break downloading }
                resultPool.started()
                started.append(.download(item))
            case .waitUntil(let instant):
                wait = instant
                break downloading
            case .waitForOutcome:
                break downloading
            }
        }
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
                started.append(.check(task))
            case .waitUntil(let instant):
                wait = instant
                break dispatching
            case .waitForOutcome:
                break dispatching
            }
        }
        if !read && feeder.wantsRead(batchSize: batchSize) { await refill() }
        if fetcher != nil && !readResults && resultFeeder.wantsRead(batchSize: resultBatchSize) {
            await refillResults()
        }
        await armNextWake(wait: wait)
        return started
    }

    private var batchSize: Int {
        let byRate = policy.rate <= 0 ? 2048 : Int(min(2048, max(policy.rate, 1)))
        // Ranked, the window is wide enough to choose from when more is due than the rate allows.
        return max(policy.concurrency * 2, byRate, ranksDue ? 1024 : 0)
    }

    /// Whether due checks are ranked by urgency rather than taken oldest first: under a rate
    /// limit, with the adaptive schedule and `poll.due_order: likeliest`.
    private var ranksDue: Bool {
        policy.rate > 0 && policy.schedule == .adaptive && policy.dueOrder == .likeliest
    }

    /// With work in hand, the next tick stays `tickInterval` away; with none, it moves to the
    /// soonest due task, a pause's end, or what the tick handler wants, whichever comes first.
    private func armNextWake(wait: ContinuousClock.Instant?) async {
        let now = clock.now
        let resultsIdle =
            fetcher == nil || (resultPool.inFlight == 0 && resultWriter.isEmpty && !resultFeeder.mayHaveDue)
        if pool.inFlight == 0 && writer.isEmpty && !feeder.mayHaveDue && resultsIdle {
            var until = now + idleLimit
            if feeder.hasReady || resultFeeder.hasReady {
                if let wait { until = min(until, wait) }
            }
            do {
                var soonest: [Timestamp] = []
                if !feeder.hasReady, let due = try await store.nextDueAt() { soonest.append(due) }
                if fetcher != nil, !resultFeeder.hasReady, let due = try await store.nextResultDueAt() {
                    soonest.append(due)
                }
                if let due = soonest.min() {
                    until = min(until, now + .milliseconds(due.rawValue - Timestamp.now().rawValue))
                }
            } catch {
                noteStoreError(error, while: "reading the next due time")
            }
            if let tickWants { until = min(until, tickWants) }
            nextTickAt = max(until, now + tickInterval)
        } else {
            // Work in hand after a sleep (a Fetch, a reload): tick again soon, whatever the
            // sleep had planned.
            nextTickAt = min(nextTickAt, now + tickInterval)
        }
        var deadline = nextTickAt
        if let wait, (feeder.hasReady && pool.hasRoom) || (resultFeeder.hasReady && resultPool.hasRoom) {
            deadline = min(deadline, wait)
        }
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
            if ranksDue {
                let now = Timestamp.now()
                feeder.rank { [policy, plans] task in
                    Schedule.urgency(of: task, now: now, policy: policy, law: plans.plan(for: task.kind)?.law)
                }
            }
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
            learn(from: batch)
            for update in batch { feeder.release(update.taskID) }
            feeder.mayHaveMore()
            storeError = nil
        } catch {
            writer.restore(batch)
            noteStoreError(error, while: "writing check results")
        }
    }

    // MARK: Learning durations

    /// Starts the learner from the finishes the store kept (the schedule survives restarts).
    private func loadFinishes() async {
        do {
            learner = DurationLearner(finishes: try await store.finishes())
            publishPlans()
        } catch {
            noteStoreError(error, while: "reading learned durations")
        }
    }

    /// Feeds the committed finishes to the learner; re-plans the kinds whose law changed. Most
    /// batches hold none (a finish is one terminal check), and then nothing is published.
    private func learn(from batch: [TaskUpdate]) {
        let finishes = batch.compactMap(\.finish)
        guard !finishes.isEmpty else { return }
        var changed: Set<String> = []
        for finish in finishes {
            if learner.record(finish) {
                changed.insert(finish.kind)
            } else {
                plans.learned[finish.kind] = learner.summary(of: finish.kind)
            }
        }
        if changed.isEmpty {
            plansBox.withLock { $0.learned = plans.learned }
        } else {
            plans.replan(changed, learner: learner, policy: policy)
            plansBox.withLock { [plans] in $0 = plans }
        }
    }

    /// Rebuilds every plan from the learner and the policy and publishes them.
    private func publishPlans() {
        plans = SchedulePlans(learner: learner, policy: policy)
        plansBox.withLock { [plans] in $0 = plans }
    }

    private func noteStoreError(_ error: any Error, while doing: String) {
        let text = "\(doing): \(error)"
        if storeError != text {
            logger.error("Store error", metadata: ["ttstrack.error": "\(text)"])
        }
        storeError = text
    }
}
