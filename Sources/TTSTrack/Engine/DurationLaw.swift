#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A distribution of task durations estimated from interval-censored finishes: probability
/// masses on cells of a logarithmic grid (uniform within each cell).
///
/// The estimate is Turnbull's self-consistency (EM) algorithm with a smoothing step after each
/// iteration (EMS): each finish spreads its weight over the cells its interval covers in
/// proportion to the current masses, so a wide interval from sparse early checks is neither
/// read as its midpoint nor as its end, and narrow intervals of other tasks sharpen where the
/// mass lies. The grid is logarithmic because durations vary by ratios (a 6 s task ± 2 s, a
/// 30 s one ± 10 s); the smoothing (a kernel whose width shrinks with the number of finishes)
/// keeps the estimate from piling mass on the few check times of a small sample.
public struct DurationLaw: Sendable, Equatable {
    /// Cell boundaries in seconds, increasing from 0; `edges.count == masses.count + 1`.
    public let edges: [Double]
    /// Probability of each cell; they sum to 1.
    public let masses: [Double]
    /// `cumulative[j]` is the probability of finishing by `edges[j]`.
    private let cumulative: [Double]

    /// A law given directly: `masses[j]` on `(edges[j], edges[j + 1]]`.
    public init(edges: [Double], masses: [Double]) {
        precondition(edges.count == masses.count + 1 && !masses.isEmpty, "one mass per cell")
        let total = masses.reduce(0, +)
        let normalized = total > 0 ? masses.map { $0 / total } : masses.map { _ in 1 / Double(masses.count) }
        self.edges = edges
        self.masses = normalized
        var sums = [0.0]
        sums.reserveCapacity(edges.count)
        for mass in normalized { sums.append(sums[sums.count - 1] + mass) }
        cumulative = sums
    }

    /// Probability that a task has finished by `seconds` after Add.
    public func cdf(_ seconds: Double) -> Double {
        if seconds <= edges[0] { return 0 }
        if seconds >= edges[edges.count - 1] { return 1 }
        let cell = Self.cell(containing: seconds, in: edges)
        let width = edges[cell + 1] - edges[cell]
        let fraction = width > 0 ? (seconds - edges[cell]) / width : 1
        return min(1, cumulative[cell] + masses[cell] * fraction)
    }

    /// The duration by which a task has finished with probability `probability`.
    public func quantile(_ probability: Double) -> Double {
        let p = min(max(probability, 0), 1)
        guard p > 0 else { return edges[0] }
        var cell = 0
        while cell < masses.count - 1 && cumulative[cell + 1] < p { cell += 1 }
        let fraction = masses[cell] > 0 ? (p - cumulative[cell]) / masses[cell] : 1
        return edges[cell] + (edges[cell + 1] - edges[cell]) * min(max(fraction, 0), 1)
    }

    /// Probability that a task still pending at `age` has finished by `later`.
    public func finished(by later: Double, givenPendingAt age: Double) -> Double {
        let survival = 1 - cdf(age)
        guard survival > 1e-12 else { return 1 }
        return max(0, min(1, (cdf(later) - cdf(age)) / survival))
    }

    /// The longest duration the law gives any weight to.
    public var longest: Double { edges[edges.count - 1] }

    // MARK: Estimating

    /// The EMS estimate from `(lower, upper]` intervals of seconds, or nil with none.
    /// - Parameters:
    ///   - cells: grid cells between the shortest and longest interval bound.
    ///   - iterations: EM steps; the estimate settles well before 300 for a few hundred finishes.
    public static func estimate(
        from intervals: [(lower: Double, upper: Double)], cells: Int = 160, iterations: Int = 300
    ) -> DurationLaw? {
        let valid = intervals.filter { $0.upper > 0 && $0.upper.isFinite && $0.lower >= 0 }
        guard !valid.isEmpty else { return nil }
        let longest = valid.map(\.upper).max()!
        let shortest = valid.map { $0.lower > 0 ? $0.lower : $0.upper }.min()!
        // Below `longest` always (also when every bound is tiny), so the grid never collapses.
        let low = min(max(min(shortest * 0.5, longest * 0.5), 1e-3), longest * 0.5)
        var edges = [0.0]
        let ratio = log(longest / low)
        for step in 0...cells { edges.append(low * exp(ratio * Double(step) / Double(cells))) }
        let count = edges.count - 1
        // Each interval as the cells it covers: [first, end), snapped to the nearest edges.
        let spans: [(first: Int, end: Int)] = valid.map { interval in
            let first = nearestEdge(interval.lower, in: edges)
            var end = nearestEdge(interval.upper, in: edges)
            if end <= first { end = min(first + 1, count) }
            return (min(first, count - 1), end)
        }
        let kernel = smoothingKernel(for: valid, cellWidth: ratio / Double(cells))
        var masses = [Double](repeating: 1 / Double(count), count: count)
        var sums = [Double](repeating: 0, count: count + 1)
        var weights = [Double](repeating: 0, count: count + 1)
        var next = masses
        let n = Double(spans.count)
        for _ in 0..<iterations {
            for j in 0..<count { sums[j + 1] = sums[j] + masses[j] }
            for j in weights.indices { weights[j] = 0 }
            for span in spans {
                let covered = sums[span.end] - sums[span.first]
                guard covered > 1e-300 else { continue }
                weights[span.first] += 1 / covered
                weights[span.end] -= 1 / covered
            }
            var running = 0.0
            for j in 0..<count {
                running += weights[j]
                next[j] = masses[j] * running / n
            }
            // The smoothing step: a Gaussian kernel on the log grid, edges reflected.
            var change = 0.0
            var total = 0.0
            for j in 0..<count {
                var smoothed = 0.0
                for (offset, weight) in kernel {
                    var k = j + offset
                    if k < 0 { k = -k - 1 }
                    if k >= count { k = 2 * count - k - 1 }
                    smoothed += weight * next[min(max(k, 0), count - 1)]
                }
                change = max(change, abs(smoothed - masses[j]))
                masses[j] = smoothed
                total += smoothed
            }
            if total > 0 { for j in 0..<count { masses[j] /= total } }
            if change < 1e-9 { break }
        }
        return DurationLaw(edges: edges, masses: masses)
    }

    /// The smoothing kernel as (cell offset, weight): Gaussian in log-duration with Silverman's
    /// bandwidth, 0.9 · spread · n^(-1/5), the spread taken from the intervals' log midpoints.
    /// Few finishes, each seen only as an interval between a few check times, say little about
    /// the law's shape between those times; the kernel fills that in smoothly, and narrows as
    /// finishes accumulate.
    private static func smoothingKernel(
        for intervals: [(lower: Double, upper: Double)], cellWidth: Double
    ) -> [(Int, Double)] {
        let logs = intervals.map { log(max($0.lower > 0 ? ($0.lower * $0.upper).squareRoot() : $0.upper / 2, 1e-3)) }
        let mean = logs.reduce(0, +) / Double(logs.count)
        let variance = logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(logs.count - 1, 1))
        let spread = max(variance.squareRoot(), 0.02)
        let bandwidth = 0.9 * spread * pow(Double(logs.count), -0.2)
        // At most the grid's width: a wider kernel only flattens, and would cost its width squared.
        let sd = min(max(bandwidth / max(cellWidth, 1e-9), 0.5), 200)
        let reach = Int((3 * sd).rounded(.up))
        var kernel = (-reach...reach).map { ($0, exp(-Double($0 * $0) / (2 * sd * sd))) }
        let total = kernel.reduce(0) { $0 + $1.1 }
        kernel = kernel.map { ($0.0, $0.1 / total) }
        return kernel
    }

    private static func nearestEdge(_ value: Double, in edges: [Double]) -> Int {
        if value <= edges[0] { return 0 }
        if value >= edges[edges.count - 1] { return edges.count - 1 }
        let cell = cell(containing: value, in: edges)
        return value - edges[cell] < edges[cell + 1] - value ? cell : cell + 1
    }

    /// The index `j` with `edges[j] < value <= edges[j + 1]` (binary search).
    private static func cell(containing value: Double, in edges: [Double]) -> Int {
        var low = 0
        var high = edges.count - 1
        while high - low > 1 {
            let middle = (low + high) / 2
            if edges[middle] < value { low = middle } else { high = middle }
        }
        return low
    }
}
