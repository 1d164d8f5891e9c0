/// The daemon's view of its link to the API, as a value: outcomes go in (``record(_:now:)``),
/// decisions come out (``admission(now:)``: send, send one probe, or wait), and a transition
/// worth a log line is returned once, when it happens, not with every check.
public struct APIHealth: Sendable, Equatable {
    /// As `Stats.api_state` reports it.
    public enum State: String, Sendable, CaseIterable {
        case ok
        case unauthorized
        case rateLimited = "rate_limited"
        case unreachable
    }

    /// The link's condition: one state, each with what it needs to know.
    enum Condition: Sendable, Equatable {
        case ok
        /// No HTTP answer was had; work goes on, each failure a failed item.
        case unreachable
        /// 401/403 (or no key): nothing is sent before `until`, then one probe at a time; the
        /// pause doubles with each refusal in a row (`streak`), up to a minute.
        case unauthorized(streak: Int, until: ContinuousClock.Instant, probing: Bool)
        /// 429: nothing is sent before `until`. After it, work resumes while the state still
        /// reads `rate_limited` until the API answers normally.
        case rateLimited(until: ContinuousClock.Instant)
    }

    /// What the gate may do now.
    public enum Admission: Sendable, Equatable {
        case open
        /// Unauthorized, paused no more: one item may go as a probe of the key.
        case probe
        /// Nothing may go before the instant; `nil`: not before a probe's outcome.
        case closed(until: ContinuousClock.Instant?)
    }

    /// A change worth telling the operator about, once.
    public enum Transition: Sendable, Equatable {
        case recovered
        case unreachable(String)
        case unauthorized(String)
        case rateLimited(pause: Double)
    }

    private(set) var condition = Condition.ok
    /// What last went wrong; never contains the key.
    public private(set) var error: String?

    public init() {}

    public var state: State {
        switch condition {
        case .ok: .ok
        case .unreachable: .unreachable
        case .unauthorized: .unauthorized
        case .rateLimited: .rateLimited
        }
    }

    /// Seconds of pause after the `streak`-th consecutive 401/403.
    public static func unauthorizedPause(streak: Int) -> Double {
        min(60, Double(1 << min(max(streak - 1, 0), 6)))
    }

    /// Longest pause a 429 can ask for.
    public static let maxRateLimitPause = 3600.0

    public func admission(now: ContinuousClock.Instant) -> Admission {
        switch condition {
        case .ok, .unreachable:
            return .open
        case .rateLimited(let until):
            return now < until ? .closed(until: until) : .open
        case .unauthorized(_, let until, let probing):
            if now < until { return .closed(until: until) }
            return probing ? .closed(until: nil) : .probe
        }
    }

    /// The item admitted as a probe is on its way: no other goes until its outcome.
    mutating func probeStarted() {
        if case .unauthorized(let streak, let until, false) = condition {
            condition = .unauthorized(streak: streak, until: until, probing: true)
        }
    }

    /// Takes what one exchange of any API work showed; returns the transition, if it made one.
    @discardableResult
    mutating func record(_ observation: APIObservation, now: ContinuousClock.Instant) -> Transition? {
        switch observation {
        case .answered:
            error = nil
            if condition == .ok { return nil }
            condition = .ok
            return .recovered
        case .failed(let failure):
            let previous = error
            error = failure.description
            return recordFailure(failure, previous: previous, now: now)
        case .unauthorized(let reason):
            error = reason.description
            var streak = 1
            var entered = true
            if case .unauthorized(let previous, let until, _) = condition {
                entered = false
                // Answers to items sent before the pause began do not lengthen it.
                streak = now >= until ? previous + 1 : previous
            }
            let pause = Self.unauthorizedPause(streak: streak)
            condition = .unauthorized(streak: streak, until: now + .milliseconds(Int64(pause * 1000)), probing: false)
            return entered ? .unauthorized(reason.description) : nil
        case .rateLimited(let retryAfter):
            let pause = min(Self.maxRateLimitPause, retryAfter ?? 1)
            error = "rate limited by the API (HTTP 429); paused for \(pause) s"
            var until = now + .milliseconds(Int64(pause * 1000))
            if case .rateLimited(let current) = condition { until = max(until, current) }
            condition = .rateLimited(until: until)
            return .rateLimited(pause: pause)
        case .cancelled:
            endProbe()
            return nil
        }
    }

    private mutating func recordFailure(
        _ failure: CheckFailure, previous: String?, now: ContinuousClock.Instant
    ) -> Transition? {
        switch condition {
        case .unauthorized:
            // The key is not known to work yet: the next probe may go.
            endProbe()
            return nil
        case .rateLimited(let until) where now < until:
            return nil
        case .ok, .rateLimited:
            guard failure.isTransport else { return nil }
            condition = .unreachable
            return .unreachable(failure.description)
        case .unreachable:
            // An HTTP answer, even a useless one, means the API is reachable again; another
            // way of not reaching it is told once more.
            guard failure.isTransport else {
                condition = .ok
                return nil
            }
            return previous == failure.description ? nil : .unreachable(failure.description)
        }
    }

    private mutating func endProbe() {
        if case .unauthorized(let streak, let until, true) = condition {
            condition = .unauthorized(streak: streak, until: until, probing: false)
        }
    }
}
