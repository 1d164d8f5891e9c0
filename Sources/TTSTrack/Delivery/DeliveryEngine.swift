public import Logging
import ServiceLifecycle
import Synchronization
public import TTSTrackWire

/// Delivers the tasks that ended: the outbox in the store, read in due order per target, each
/// delivery claimed until what its attempt came to is committed, at most `concurrency` attempts
/// per target at once. Its own loop, beside the ``Scheduler``'s, with its own ``Heartbeat``,
/// feeders and pools: hooks and webhooks are not CAMB API work and do not pass its gate.
///
/// The store wakes it after each commit that made deliveries due; with nothing due it sleeps
/// until the soonest retry. A retry that fell due while the daemon was down is due at start.
public actor DeliveryEngine {
    /// One configured target: who delivers to it and how hard.
    public struct Target: Sendable {
        public var target: DeliveryTarget
        public var deliverer: any Deliverer
        public var concurrency: Int
        public var maxAttempts: Int

        public init(target: DeliveryTarget, deliverer: any Deliverer, concurrency: Int, maxAttempts: Int) {
            self.target = target
            self.deliverer = deliverer
            self.concurrency = concurrency
            self.maxAttempts = maxAttempts
        }
    }

    /// A target's due deliveries and its attempts in flight.
    private struct Lane {
        let deliverer: any Deliverer
        let maxAttempts: Int
        var feeder = DueFeeder<DueDelivery>()
        var pool: WorkerPool
    }

    /// An attempt's update, with the lane whose claim it releases once committed.
    private struct Written: Sendable {
        var target: DeliveryTarget
        var update: DeliveryUpdate
    }

    private let store: TaskStore
    private let logger: Logger
    private let now: @Sendable () -> Timestamp
    private let tickInterval: Duration
    private let idleLimit: Duration
    private let clock = ContinuousClock()
    private let heartbeat = Heartbeat()
    private let metrics = DeliveryMetrics()
    /// Set by the store's callback after a commit that made deliveries due.
    private nonisolated let enqueued = AtomicFlag(true)
    private nonisolated let shutdownRequested = Atomic<Bool>(false)
    private var lanes: [DeliveryTarget: Lane] = [:]
    private var writer = ResultWriter<Written>()
    private var phase = EnginePhase.running
    private var nextTickAt: ContinuousClock.Instant
    private var storeError: String?

    /// - Parameter now: the wall clock that due times are read and written in.
    public init(
        store: TaskStore, targets: [Target], tickInterval: Duration = .milliseconds(50),
        idleLimit: Duration = .seconds(60), now: @escaping @Sendable () -> Timestamp = Timestamp.now, logger: Logger
    ) {
        self.store = store
        self.logger = logger
        self.now = now
        self.tickInterval = tickInterval
        self.idleLimit = idleLimit
        for target in targets {
            lanes[target.target] = Lane(
                deliverer: target.deliverer, maxAttempts: target.maxAttempts,
                pool: WorkerPool(limit: target.concurrency))
        }
        nextTickAt = clock.now
    }

    /// Tells the store which targets a task that ends is delivered to, and to wake this engine
    /// after each commit that made deliveries due. Call before anything can end a task.
    public func attach() async {
        let enqueued = self.enqueued
        let heartbeat = self.heartbeat
        await store.configureDeliveries(targets: Set(lanes.keys)) {
            enqueued.set()
            heartbeat.wakeNow()
        }
    }

    /// Delivers until graceful shutdown (or cancellation); then gives attempts in flight `grace`
    /// to finish, abandons the rest (a hook is killed; they stay due) and commits.
    public func run(grace: Duration = .seconds(5)) async {
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                heartbeat.wakeNow()
                for await _ in heartbeat.wakes {
                    if Task.isCancelled { break }
                    let beat = phase.beat(
                        shutdownRequested: shutdownRequested.load(ordering: .relaxed), now: clock.now, grace: grace,
                        idle: inFlight == 0)
                    if case .stop = beat { break }
                    if case .wait(let until) = beat {
                        heartbeat.arm(at: until, leeway: .milliseconds(10))
                        continue
                    }
                    for item in await step() {
                        group.addTask { await self.work(from: item) }
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
            logger.error(
                "Delivery outcomes could not be written at shutdown; those deliveries will be made again",
                metadata: ["ttstrack.count": "\(writer.count)"])
        }
        for lane in lanes.values { await lane.deliverer.shutdown() }
    }

    private var inFlight: Int { lanes.values.reduce(0) { $0 + $1.pool.inFlight } }

    // MARK: Attempts

    /// One slot of a target's pool: delivers `first`, then each next ready delivery.
    private nonisolated func work(from first: DueDelivery) async {
        var next: DueDelivery? = first
        while let delivery = next {
            guard let deliverer = await deliverer(for: delivery.target) else { return }
            let outcome = await deliverer.deliver(delivery)
            next = await finish(delivery, outcome)
        }
    }

    private func deliverer(for target: DeliveryTarget) -> (any Deliverer)? { lanes[target]?.deliverer }

    /// Records one outcome; returns the next delivery for the same slot, or nil when the slot is
    /// given up and the loop takes over.
    private func finish(_ delivery: DueDelivery, _ outcome: DeliveryOutcome) -> DueDelivery? {
        let target = delivery.target
        guard let maxAttempts = lanes[target]?.maxAttempts else { return nil }
        if let update = DeliveryRules.update(for: delivery, outcome: outcome, maxAttempts: maxAttempts, now: now()) {
            report(delivery, outcome, update)
            writer.append(Written(target: target, update: update))
        } else {
            lanes[target]?.feeder.release(delivery.taskID)
            lanes[target]?.feeder.mayHaveMore()
        }
        if case .running = phase, !Task.isCancelled, let lane = lanes[target], lane.pool.mayContinue,
            lane.feeder.hasReady, !writer.isFull
        {
            return lanes[target]?.feeder.take()
        }
        lanes[target]?.pool.finished()
        heartbeat.wakeNow()
        return nil
    }

    /// One log line per attempt, and its count.
    private func report(_ delivery: DueDelivery, _ outcome: DeliveryOutcome, _ update: DeliveryUpdate) {
        var metadata: Logger.Metadata = [
            "ttstrack.target": "\(delivery.target.rawValue)", "ttstrack.task": "\(delivery.taskID)",
            "ttstrack.attempt": "\(update.attempts)",
        ]
        var output: String?
        switch outcome {
        case .delivered(let text), .failed(_, let text): output = text
        case .refused, .cancelled: break
        }
        if let output { metadata["ttstrack.output"] = "\(output)" }
        switch update.change {
        case .delivered:
            metrics.count(delivery.target, .delivered)
            logger.log(level: output == nil ? .debug : .info, "Delivered", metadata: metadata)
        case .retry(let at, let error):
            metrics.count(delivery.target, .retried)
            metadata["ttstrack.error"] = "\(error)"
            metadata["ttstrack.retry_at"] = "\(at.rfc3339)"
            logger.info("Delivery attempt failed; trying again later", metadata: metadata)
        case .failed(let error):
            metrics.count(delivery.target, .failed)
            metadata["ttstrack.error"] = "\(error)"
            logger.warning("Delivery given up", metadata: metadata)
        }
    }

    // MARK: The loop's step

    /// One wake-up: writes outcomes when a tick is due, returns the attempts to start, and
    /// arms the next wake-up.
    private func step() async -> [DueDelivery] {
        if enqueued.take() {
            for target in lanes.keys { lanes[target]?.feeder.mayHaveMore() }
        }
        if clock.now >= nextTickAt || writer.isFull {
            nextTickAt = clock.now + tickInterval
            await flush()
            for target in lanes.keys { lanes[target]?.feeder.mayHaveMore() }
        }
        var started: [DueDelivery] = []
        for target in DeliveryTarget.allCases where lanes[target] != nil {
            var read = false
            while lanes[target]!.pool.hasRoom {
                if !lanes[target]!.feeder.hasReady {
                    guard lanes[target]!.feeder.mayHaveDue, !read else { break }
                    await refill(target)
                    read = true
                    continue
                }
                guard let delivery = lanes[target]!.feeder.take() else { break }
                lanes[target]!.pool.started()
                started.append(delivery)
            }
            let limit = batchSize(target)
            if !read, lanes[target]!.feeder.wantsRead(batchSize: limit) { await refill(target) }
        }
        await armNextWake()
        return started
    }

    private func batchSize(_ target: DeliveryTarget) -> Int {
        max((lanes[target]?.pool.limit ?? 1) * 4, 64)
    }

    /// With attempts in flight or outcomes to write, the next tick is `tickInterval` away; with
    /// none, the loop sleeps until the soonest due delivery (or `idleLimit`).
    private func armNextWake() async {
        let current = clock.now
        let busy = lanes.values.contains { $0.pool.inFlight > 0 || $0.feeder.mayHaveDue || $0.feeder.hasReady }
        if !busy && writer.isEmpty {
            var until = current + idleLimit
            do {
                if let due = try await store.nextDeliveryDueAt(targets: Set(lanes.keys)) {
                    until = min(until, current + .milliseconds(due.rawValue - now().rawValue))
                }
            } catch {
                noteStoreError(error, while: "reading the next due delivery")
            }
            nextTickAt = max(until, current + tickInterval)
        } else {
            nextTickAt = min(nextTickAt, current + tickInterval)
        }
        let leeway = min(max(.milliseconds(1), (nextTickAt - current) / 20), .milliseconds(500))
        heartbeat.arm(at: nextTickAt, leeway: leeway)
    }

    // MARK: Reading due deliveries, writing outcomes

    private func refill(_ target: DeliveryTarget) async {
        let limit = batchSize(target)
        guard let read = lanes[target]?.feeder.nextRead(limit: limit, now: clock.now) else { return }
        do {
            let due = try await store.dueDeliveries(
                target: target, now: now(), limit: read.limit, after: read.after, excluding: read.excluding)
            lanes[target]?.feeder.accept(due, of: read)
            if writer.isEmpty { storeError = nil }
        } catch {
            lanes[target]?.feeder.readFailed()
            noteStoreError(error, while: "reading due deliveries")
        }
    }

    private func flush() async {
        guard !writer.isEmpty else { return }
        let batch = writer.takeBatch()
        do {
            try await store.applyDeliveries(batch.map(\.update))
            for written in batch {
                lanes[written.target]?.feeder.release(written.update.taskID)
                lanes[written.target]?.feeder.mayHaveMore()
            }
            storeError = nil
        } catch {
            writer.restore(batch)
            noteStoreError(error, while: "writing delivery outcomes")
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

extension DueDelivery: DueItem {
    var cursor: DueTask.Cursor { DueTask.Cursor(nextCheckAt: dueAt, rowID: rowID) }
}
