/// Admits work that calls the CAMB.AI API, whatever its kind (a status check; a result
/// download shares it): one token bucket (`poll.rate`, `poll.burst`) for all of it, and the
/// API's health (pauses after 429 and 401/403, one probe at a time while the key is refused).
public struct DispatchGate: Sendable {
    public enum Decision: Sendable, Equatable {
        /// Go; `probe` when this item tests whether the key works again.
        case admit(probe: Bool)
        /// Nothing goes before this instant (the next token, or the end of a pause).
        case waitUntil(ContinuousClock.Instant)
        /// Nothing goes before the outcome of the probe in flight.
        case waitForOutcome
    }

    private var bucket: TokenBucket
    public private(set) var health = APIHealth()

    public init(rate: Double, burst: Double, now: ContinuousClock.Instant) {
        bucket = TokenBucket(rate: rate, burst: burst, now: now)
    }

    /// Asks to send one item now; an admitted item has taken its token.
    public mutating func admit(now: ContinuousClock.Instant) -> Decision {
        bucket.refill(now: now)
        let probe: Bool
        switch health.admission(now: now) {
        case .closed(let until?): return .waitUntil(until)
        case .closed(nil): return .waitForOutcome
        case .open: probe = false
        case .probe: probe = true
        }
        guard bucket.take() else {
            return .waitUntil(now + .nanoseconds(Int64((bucket.secondsUntilNextToken * 1e9).rounded(.up))))
        }
        if probe { health.probeStarted() }
        return .admit(probe: probe)
    }

    /// Takes what an admitted item showed of the API; returns a transition worth logging.
    @discardableResult
    public mutating func record(_ observation: APIObservation, now: ContinuousClock.Instant) -> APIHealth.Transition? {
        health.record(observation, now: now)
    }

    /// Changes rate and burst (reload), keeping no more saved than the new burst.
    public mutating func reconfigure(rate: Double, burst: Double) {
        bucket.reconfigure(rate: rate, burst: burst)
    }
}
