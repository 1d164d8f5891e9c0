/// The life of an engine's loop (the scheduler's, the delivery engine's): it takes new work
/// while running; after a graceful shutdown it drains what is in flight until a deadline; then
/// it has stopped and what is still in flight is cancelled.
enum EnginePhase: Sendable {
    case running
    /// Graceful shutdown: no new work; what is in flight gets until the deadline.
    case draining(until: ContinuousClock.Instant)
    /// The loop has ended: what is still in flight is being cancelled.
    case stopped

    /// What the loop does at one wake-up.
    enum Beat: Equatable {
        /// Take new work.
        case work
        /// Draining: take nothing; wake again by the deadline.
        case wait(until: ContinuousClock.Instant)
        /// Leave the loop.
        case stop
    }

    /// Moves to draining once a shutdown is requested, and says what this wake-up does: a
    /// draining loop ends once nothing is in flight (`idle`) or the deadline has passed.
    mutating func beat(
        shutdownRequested: Bool, now: ContinuousClock.Instant, grace: Duration, idle: @autoclosure () -> Bool
    ) -> Beat {
        if shutdownRequested, case .running = self { self = .draining(until: now + grace) }
        switch self {
        case .running: return .work
        case .draining(let until): return idle() || now >= until ? .stop : .wait(until: until)
        case .stopped: return .stop
        }
    }
}
