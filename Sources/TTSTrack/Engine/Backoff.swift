/// The per-task schedule: `min_interval` after the first check, growing by `backoff` per check
/// up to `max_interval`, stretched by a little jitter.
public enum Backoff {
    /// Seconds to wait after a task's `checks`-th check (1-based), before jitter.
    public static func interval(afterChecks checks: Int, policy: PollPolicy) -> Double {
        let exponent = Double(max(0, checks - 1))
        let grown = policy.minInterval * pow(policy.backoff, exponent)
        return min(policy.maxInterval, grown.isFinite ? grown : policy.maxInterval)
    }

    /// `seconds` stretched by a random factor in `1 ... 1 + policy.jitter`.
    public static func jittered(
        _ seconds: Double, policy: PollPolicy, using random: inout some RandomNumberGenerator
    )
        -> Double
    {
        guard policy.jitter > 0 else { return seconds }
        return seconds * Double.random(in: 1...(1 + policy.jitter), using: &random)
    }

    /// `seconds` moved by a random factor in `1 - jitter/2 ... 1 + jitter/2`: spreads tasks
    /// added together as much as ``jittered(_:policy:using:)`` without delaying them on average,
    /// for gaps placed where a finish is expected.
    public static func centred(
        _ seconds: Double, policy: PollPolicy, using random: inout some RandomNumberGenerator
    ) -> Double {
        guard policy.jitter > 0 else { return seconds }
        let half = policy.jitter / 2
        return seconds * Double.random(in: (1 - half)...(1 + half), using: &random)
    }

    private static func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(min(exponent, 2000))
        while remaining > 0 && result < 1e12 {
            result *= base
            remaining -= 1
        }
        return result
    }
}
