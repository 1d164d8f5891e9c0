/// The daemon's view of its link to the API, as `Stats` reports it.
public struct APIHealth: Sendable, Equatable {
    public enum State: String, Sendable {
        case ok
        case unauthorized
        case rateLimited = "rate_limited"
        case unreachable
    }

    public var state: State = .ok
    /// What last went wrong; never contains the key.
    public var error: String?
    /// No checks are started before this (after 401/403 or 429).
    public var pausedUntil: ContinuousClock.Instant?
    /// 401/403 answers in a row: the pause doubles with each, up to a minute.
    public var unauthorizedStreak = 0

    public init() {}

    /// Seconds of pause after the `streak`-th consecutive 401/403.
    public static func unauthorizedPause(streak: Int) -> Double {
        min(60, Double(1 << min(max(streak - 1, 0), 6)))
    }

    /// Longest pause a 429 can ask for.
    public static let maxRateLimitPause = 3600.0
}
