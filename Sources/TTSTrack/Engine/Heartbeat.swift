@preconcurrency import Dispatch

/// The engine's `DispatchSourceTimer`, as an `AsyncSequence` of wake-ups, bridged the way
/// swift-service-lifecycle bridges signal sources: the source yields into an `AsyncStream`, and
/// ending the iteration cancels the source.
///
/// Unlike a fixed tick, it is armed anew for each next deadline: every tick while work is in
/// hand, the next due time (or nothing sooner than a minute) when there is none, so an idle
/// daemon sleeps. Wake-ups may also be asked for from any thread (a task added, an item
/// finished, a reload); those that come while the engine is busy coalesce into one, and the
/// engine then looks afresh at what is due and arms the timer again.
final class Heartbeat: Sendable {
    let wakes: AsyncStream<Void>
    private let timer: TimerSource
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let timer = TimerSource(continuation: continuation)
        continuation.onTermination = { _ in timer.cancel() }
        self.wakes = stream
        self.continuation = continuation
        self.timer = timer
    }

    /// Arms the timer for `deadline` (replacing any earlier arming), with `leeway` for the
    /// system to coalesce it with other wake-ups.
    func arm(at deadline: ContinuousClock.Instant, leeway: Duration) {
        timer.schedule(after: deadline - .now, leeway: leeway)
    }

    /// Wakes the engine at once.
    func wakeNow() {
        continuation.yield()
    }

    /// Ends the sequence: the engine's loop sees it finish.
    func finish() {
        continuation.finish()
    }
}

/// Owns the dispatch source.
///
/// `@unchecked Sendable` is safe: the only stored state is immutable (`let`), and the one
/// reference type in it, the dispatch source, is thread-safe by Dispatch's contract (`schedule`,
/// `cancel`, `resume` and handler setting may be called from any thread).
private final class TimerSource: @unchecked Sendable {
    private let source: any DispatchSourceTimer

    init(continuation: AsyncStream<Void>.Continuation) {
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "io.ttstrack.heartbeat"))
        source.setEventHandler { continuation.yield() }
        source.schedule(deadline: .distantFuture, leeway: .never)
        source.resume()
        self.source = source
    }

    /// One shot, `delay` from now (at once when it is not positive).
    func schedule(after delay: Duration, leeway: Duration) {
        source.schedule(
            deadline: .now() + Self.interval(max(delay, .zero)), repeating: .never, leeway: Self.interval(leeway))
    }

    func cancel() {
        source.cancel()
    }

    deinit {
        source.cancel()
    }

    private static func interval(_ duration: Duration) -> DispatchTimeInterval {
        .nanoseconds(Int(min(duration, .seconds(1 << 32)).nanoseconds))
    }
}
