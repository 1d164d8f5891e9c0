/// Errors thrown by the simulator's lifecycle methods, so callers can tell misuse apart
/// from socket errors (which are thrown as the underlying NIO errors).
public enum CambSimulatorError: Error, Sendable, Equatable {
    /// `start` was called on a simulator that is already running or was shut down;
    /// a simulator instance serves exactly one listening socket in its lifetime.
    case alreadyStarted
    /// The listening socket reported no local port after binding.
    case noBoundPort
    /// A durations text that does not parse: the entry named, as `KIND=lognormal:MEDIAN:SIGMA`,
    /// `KIND=uniform:LOW:HIGH` or `KIND=fixed:SECONDS` expects.
    case badDurations(String)
}
