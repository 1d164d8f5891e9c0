import Synchronization

/// Fans recorded status changes out to whoever waits on them (`Wait`, `Watch`).
///
/// Subscribing is cheap and synchronous, so a caller can subscribe *before* it reads the store
/// and miss nothing. Each subscription has a bounded buffer: a subscriber that falls behind by
/// more than `limit` events is cut off (its stream ends with ``Subscription/overflowed`` set)
/// rather than making the daemon buffer without bound.
public final class ChangeHub: Sendable {
    private struct Subscriber {
        let filter: EventFilter
        let continuation: AsyncStream<TaskEvent>.Continuation
        let overflow: Overflow
    }

    /// Set when a subscriber's buffer filled up.
    public final class Overflow: Sendable {
        private let flag = Atomic<Bool>(false)
        public var happened: Bool { flag.load(ordering: .relaxed) }
        func set() { flag.store(true, ordering: .relaxed) }
    }

    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextID = Atomic<Int>(0)

    public init() {}

    /// A live stream of the events that `filter` lets through (of some ids, of a tag, or all).
    /// Finish by dropping the stream's iterator or calling `cancel` on the returned subscription.
    public func subscribe(_ filter: EventFilter, limit: Int = 10_000) -> Subscription {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<TaskEvent>.makeStream(bufferingPolicy: .bufferingOldest(limit))
        let overflow = Overflow()
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { _ = $0.removeValue(forKey: id) }
        }
        subscribers.withLock {
            $0[id] = Subscriber(filter: filter, continuation: continuation, overflow: overflow)
        }
        return Subscription(events: stream, overflow: overflow, continuation: continuation)
    }

    /// Delivers events to every matching subscriber.
    public func publish(_ events: [TaskEvent]) {
        guard !events.isEmpty else { return }
        let cutOff = subscribers.withLock { subscribers in
            var cutOff: [AsyncStream<TaskEvent>.Continuation] = []
            for subscriber in subscribers.values {
                for event in events where subscriber.filter.matches(event) {
                    if case .dropped = subscriber.continuation.yield(event) {
                        subscriber.overflow.set()
                        cutOff.append(subscriber.continuation)
                        break
                    }
                }
            }
            return cutOff
        }
        // Outside the lock: finishing runs `onTermination`, which takes the lock itself.
        for continuation in cutOff { continuation.finish() }
    }

    /// One subscriber's stream.
    public struct Subscription: Sendable {
        public let events: AsyncStream<TaskEvent>
        public let overflow: Overflow
        let continuation: AsyncStream<TaskEvent>.Continuation

        /// True when the stream ended because the subscriber fell too far behind.
        public var overflowed: Bool { overflow.happened }

        public func cancel() { continuation.finish() }
    }
}
