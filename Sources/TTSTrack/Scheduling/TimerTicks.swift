@preconcurrency import Dispatch

/// A `DispatchSourceTimer` as an `AsyncSequence` of ticks, bridged the way swift-service-lifecycle
/// bridges signal sources: the source yields into an `AsyncStream`, and ending the iteration
/// (or dropping the iterator) cancels the source. Ticks that the consumer is too busy to take
/// coalesce into one (`bufferingNewest(1)`), so a slow tick never builds a backlog.
public struct TimerTicks: AsyncSequence, Sendable {
    public typealias Element = Void

    private let interval: Duration
    private let leeway: Duration

    public init(interval: Duration, leeway: Duration? = nil) {
        self.interval = interval
        self.leeway = leeway ?? interval / 10
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(source: TimerSource(interval: interval, leeway: leeway))
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        private let source: TimerSource
        private var iterator: AsyncStream<Void>.Iterator

        fileprivate init(source: TimerSource) {
            self.source = source
            self.iterator = source.stream.makeAsyncIterator()
        }

        public mutating func next() async -> Void? {
            await iterator.next()
        }
    }
}

/// Owns the dispatch source for one iteration.
///
/// `@unchecked Sendable` is safe: the only stored state is immutable (`let`), and the one
/// reference type in it, the dispatch source, is thread-safe by Dispatch's contract
/// (`cancel`, `resume` and handler setting may be called from any thread).
private final class TimerSource: @unchecked Sendable {
    let source: any DispatchSourceTimer
    let stream: AsyncStream<Void>

    init(interval: Duration, leeway: Duration) {
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "io.ttstrack.timer"))
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        source.setEventHandler { continuation.yield() }
        source.setCancelHandler { continuation.finish() }
        continuation.onTermination = { _ in source.cancel() }
        source.schedule(
            deadline: .now() + Self.dispatchInterval(interval), repeating: Self.dispatchInterval(interval),
            leeway: Self.dispatchInterval(leeway))
        source.resume()
        self.source = source
        self.stream = stream
    }

    deinit {
        source.cancel()
    }

    private static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
