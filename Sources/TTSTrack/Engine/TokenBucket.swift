/// The global request rate: `rate` tokens a second, at most `burst` saved up.
public struct TokenBucket: Sendable {
    public private(set) var rate: Double
    public private(set) var burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    public init(rate: Double, burst: Double, now: ContinuousClock.Instant) {
        self.rate = rate
        self.burst = max(1, burst)
        self.tokens = max(1, burst)
        self.last = now
    }

    /// True when there is no limit at all.
    public var isUnlimited: Bool { rate <= 0 }

    /// Adds the tokens earned since the last refill.
    public mutating func refill(now: ContinuousClock.Instant) {
        guard !isUnlimited else { return }
        let elapsed = (now - last).seconds
        last = now
        tokens = min(burst, tokens + max(0, elapsed) * rate)
    }

    /// Whole tokens available now.
    public var available: Int { isUnlimited ? Int.max : Int(tokens) }

    /// Seconds until a whole token is available (0 when one is).
    public var secondsUntilNextToken: Double {
        guard !isUnlimited, tokens < 1 else { return 0 }
        return (1 - tokens) / rate
    }

    /// Takes one token if there is one.
    public mutating func take() -> Bool {
        if isUnlimited { return true }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Changes rate and burst (reload), keeping no more saved than the new burst.
    public mutating func reconfigure(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(1, burst)
        tokens = min(tokens, self.burst)
    }
}
