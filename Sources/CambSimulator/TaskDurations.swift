import Foundation

/// How long tasks of each kind take in the simulator: a law per kind, and a seed. Each task's
/// duration is drawn from its kind's law by a hash of the seed, the kind and the task id, so it
/// is the same in every process (a benchmark predicts what `camb-sim` does) and in every run
/// with the same seed. A task is PENDING from its start (``CambSimulator/startTask(_:kind:)``,
/// else its first answered request) until its duration has passed, then SUCCESS.
public struct TaskDurations: Sendable, Equatable {
    /// A distribution of durations in seconds.
    public enum Law: Sendable, Equatable, CustomStringConvertible {
        case fixed(Double)
        /// Log-normal: `median` seconds, `sigma` the standard deviation of the log.
        case lognormal(median: Double, sigma: Double)
        case uniform(Double, Double)

        /// The duration at quantile `u` in (0, 1).
        public func quantile(_ u: Double) -> Double {
            switch self {
            case .fixed(let seconds): seconds
            case .lognormal(let median, let sigma): median * exp(sigma * Self.normalQuantile(u))
            case .uniform(let low, let high): low + (high - low) * u
            }
        }

        /// The probability of a duration at most `seconds`.
        public func cdf(_ seconds: Double) -> Double {
            switch self {
            case .fixed(let value): return seconds >= value ? 1 : 0
            case .lognormal(let median, let sigma):
                guard seconds > 0 else { return 0 }
                return 0.5 * erfc(-log(seconds / median) / (sigma * 2.0.squareRoot()))
            case .uniform(let low, let high):
                guard high > low else { return seconds >= low ? 1 : 0 }
                return min(1, max(0, (seconds - low) / (high - low)))
            }
        }

        public var description: String {
            switch self {
            case .fixed(let seconds): "fixed:\(seconds)"
            case .lognormal(let median, let sigma): "lognormal:\(median):\(sigma)"
            case .uniform(let low, let high): "uniform:\(low):\(high)"
            }
        }

        /// The standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9
        /// after one Newton step on `erfc`).
        static func normalQuantile(_ p: Double) -> Double {
            let p = min(max(p, 1e-12), 1 - 1e-12)
            let a = [
                -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00,
            ]
            let b = [
                -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                6.680131188771972e+01, -1.328068155288572e+01,
            ]
            let c = [
                -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00,
            ]
            let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
            var x: Double
            if p < 0.02425 {
                let q = (-2 * log(p)).squareRoot()
                x =
                    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            } else if p <= 1 - 0.02425 {
                let q = p - 0.5
                let r = q * q
                x =
                    (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                    / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
            } else {
                let q = (-2 * log(1 - p)).squareRoot()
                x =
                    -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            }
            let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
            let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
            x -= u / (1 + x * u / 2)
            return x
        }
    }

    public var laws: [String: Law]
    public var seed: UInt64

    public init(_ laws: [String: Law], seed: UInt64 = 1) {
        self.laws = laws
        self.seed = seed
    }

    /// Parses `KIND=LAW,…` with LAW `lognormal:MEDIAN:SIGMA`, `uniform:LOW:HIGH` or
    /// `fixed:SECONDS`, e.g. `tts=lognormal:6:0.35,dub=lognormal:30:0.3`.
    public init(parsing text: String, seed: UInt64 = 1) throws(CambSimulatorError) {
        var laws: [String: Law] = [:]
        for entry in text.split(separator: ",") {
            let sides = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard sides.count == 2, !sides[0].isEmpty else { throw .badDurations(String(entry)) }
            let parts = sides[1].split(separator: ":").map(String.init)
            let numbers = parts.dropFirst().compactMap(Double.init)
            guard numbers.count == parts.count - 1, numbers.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw .badDurations(String(entry))
            }
            switch (parts.first, numbers.count) {
            case ("fixed", 1): laws[sides[0]] = .fixed(numbers[0])
            case ("lognormal", 2) where numbers[0] > 0:
                laws[sides[0]] = .lognormal(median: numbers[0], sigma: numbers[1])
            case ("uniform", 2) where numbers[1] >= numbers[0]: laws[sides[0]] = .uniform(numbers[0], numbers[1])
            default: throw .badDurations(String(entry))
            }
        }
        guard !laws.isEmpty else { throw .badDurations(text) }
        self.init(laws, seed: seed)
    }

    /// The duration of task `taskID` of `kind`, or nil when the kind has no law.
    public func duration(kind: String, taskID: String) -> Double? {
        guard let law = laws[kind] else { return nil }
        // SplitMix64 of the FNV-1a hash: a uniform in (0, 1) per (seed, kind, task).
        var z = StableHash.fnv1a("\(seed)/\(kind)/\(taskID)") &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z ^= z >> 31
        let u = (Double(z >> 11) + 0.5) / Double(UInt64(1) << 53)
        return law.quantile(u)
    }
}
