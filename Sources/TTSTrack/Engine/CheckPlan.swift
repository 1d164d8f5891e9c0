/// Where to place each check of a task of one kind, given the kind's duration law: the
/// schedule that minimises expected lateness (seconds from the finish to the check that sees
/// it) plus `worth` seconds per check, with every gap within `minGap`…`maxGap`.
///
/// The task's only news between checks is "still pending", so the best schedule is a fixed
/// sequence of ages, found by dynamic programming on a time grid: with `W(s)` the least
/// expected cost from a check at age `s` (weighted by the chance of still being pending there),
/// `W(s) = min over t of worth·S(s) + ∫ₛᵗ (F(x) − F(s)) dx + W(t)`. It is computed per kind,
/// when the law changes, not per task; a check made late (the rate limit) continues from the
/// grid point where it was made.
public struct CheckPlan: Sendable, Equatable {
    /// The law it was planned for.
    public let law: DurationLaw
    /// Grid spacing in seconds.
    public let step: Double
    /// `next[i]`: the grid point of the check after one at age `i·step`; -1 past the horizon.
    private let next: [Int32]
    /// The grid point of the first check.
    private let first: Int

    /// - Parameters:
    ///   - worth: seconds of lateness one check is worth.
    ///   - firstAtLeast: the earliest first check (seconds from Add).
    ///   - minGap, maxGap: the bounds of every gap (the first check too, at most `maxGap`
    ///     after Add unless `firstAtLeast` is later).
    ///   - points: grid size; the cost is `points` × (gaps the bounds allow).
    public init(
        law: DurationLaw, worth: Double, firstAtLeast: Double, minGap: Double, maxGap: Double, points: Int = 600
    ) {
        self.law = law
        // The horizon follows the bulk of the law, not its single longest finish: one task seen
        // after hours (an outage) must not coarsen every kind's grid; past the horizon the
        // backoff rule places checks. The step stays at most half the shortest gap (up to 20,000
        // points), so the plan can place checks as close as `minGap` allows.
        let horizon = max(min(law.longest, 2 * law.quantile(0.99)) * 1.25, firstAtLeast + minGap)
        var step = max(horizon / Double(points), 1e-3)
        if minGap > 0 { step = max(min(step, minGap / 2), horizon / 20_000) }
        self.step = step
        let n = Int((horizon / step).rounded(.up)) + 1
        var f = [Double](repeating: 0, count: n)
        for i in 0..<n { f[i] = law.cdf(Double(i) * step) }
        // g[i] = ∫₀^{i·step} F(x) dx, by the trapezoid rule.
        var g = [Double](repeating: 0, count: n)
        for i in 1..<n { g[i] = g[i - 1] + (f[i] + f[i - 1]) * step / 2 }
        let shortest = max(1, Int(min(minGap / step, Double(n)).rounded(.up)))
        let longest = max(shortest, Int(min(maxGap / step, Double(n)).rounded(.down)))
        var w = [Double](repeating: 0, count: n)
        var next = [Int32](repeating: Int32(n - 1), count: n)
        func best(from i: Int, lowest: Int, highest: Int) -> (cost: Double, at: Int) {
            let survival = 1 - f[i]
            var cost = Double.infinity
            var at = n - 1
            let end = min(highest, n - 1)
            var j = min(lowest, n - 1)
            while j <= end {
                let lateness = g[j] - g[i] - Double(j - i) * step * f[i]
                let total = worth * survival + lateness + w[j]
                if total < cost {
                    cost = total
                    at = j
                }
                j += 1
            }
            return (cost, at)
        }
        if n >= 2 {
            for i in stride(from: n - 2, through: 0, by: -1) {
                // No gap fits before the horizon: the plan ends here (the backoff takes over).
                guard i + shortest <= n - 1 else {
                    next[i] = -1
                    continue
                }
                let choice = best(from: i, lowest: i + shortest, highest: i + longest)
                w[i] = choice.cost
                next[i] = Int32(choice.at)
            }
        }
        let earliest = max(1, Int(min(firstAtLeast / step, Double(n)).rounded(.up)))
        let latest = max(earliest, Int(min(maxGap / step, Double(n)).rounded(.down)))
        first = best(from: 0, lowest: earliest, highest: latest).at
        self.next = next
    }

    /// Seconds from Add to the first check.
    public var firstCheck: Double { Double(first) * step }

    /// Seconds from a check at `age` (seconds from Add, the task still pending) to the next,
    /// or nil past the plan's horizon (the law has nothing to say that late).
    public func gap(afterCheckAt age: Double) -> Double? {
        guard age >= 0 else { return firstCheck }
        let i = Int((age / step).rounded())
        guard i < next.count - 1, next[i] >= 0 else { return nil }
        return Double(Int(next[i]) - i) * step
    }

    /// The ages of the checks a task gets until `horizon` seconds, if it never finishes before.
    public func ages(until horizon: Double) -> [Double] {
        var ages = [firstCheck]
        while let last = ages.last, last < horizon, let gap = gap(afterCheckAt: last) {
            ages.append(last + gap)
        }
        return ages
    }
}
