/// Learns, per kind, how long tasks take, from the interval each finish was seen in: a bounded
/// window of the most recent finishes, and the law estimated from it once there are enough.
///
/// A value with no clock of its own: finishes go in as they are committed (and from the store
/// at start), the laws come out. The law of a kind is re-estimated when `refitEvery` more
/// finishes have come in, so a burst of finishes costs one estimate, not one each.
public struct DurationLearner: Sendable {
    /// Finishes kept per kind: recent enough to follow a change, enough for a p90.
    public static let window = 256
    /// Below this many finishes a kind has no law, and its tasks follow the backoff rule.
    public static let enoughFinishes = 20
    /// Finishes between two estimates of a kind's law.
    public static let refitEvery = 8

    private struct Kind: Sendable {
        var finishes: [DurationObservation] = []
        var law: DurationLaw?
        var sinceFit = 0
    }

    private var kinds: [String: Kind] = [:]
    private let window: Int
    private let enoughFinishes: Int

    public init(window: Int = Self.window, enoughFinishes: Int = Self.enoughFinishes) {
        self.window = max(1, window)
        self.enoughFinishes = max(1, enoughFinishes)
    }

    /// A learner that has seen `finishes` (oldest first), as the store keeps them.
    public init(
        finishes: [DurationObservation], window: Int = Self.window, enoughFinishes: Int = Self.enoughFinishes
    ) {
        self.init(window: window, enoughFinishes: enoughFinishes)
        for finish in finishes { append(finish) }
        for kind in Array(kinds.keys) { refit(kind) }
    }

    /// Takes one committed finish; returns true when the kind's law changed.
    @discardableResult
    public mutating func record(_ finish: DurationObservation) -> Bool {
        append(finish)
        guard let kind = kinds[finish.kind] else { return false }
        if kind.law == nil ? kind.finishes.count >= enoughFinishes : kind.sinceFit >= Self.refitEvery {
            refit(finish.kind)
            return true
        }
        return false
    }

    /// The law of `kind`, or nil while fewer than `enoughFinishes` finishes are seen.
    public func law(for kind: String) -> DurationLaw? { kinds[kind]?.law }

    /// The kinds that have a law.
    public var laws: [String: DurationLaw] { kinds.compactMapValues(\.law) }

    /// Finishes seen and, once learned, the median and p90 duration, per kind.
    public var summary: [String: LearnedDurations] { kinds.mapValues(Self.summary) }

    /// What is learned of one kind, or nil for a kind never seen.
    public func summary(of kind: String) -> LearnedDurations? { kinds[kind].map(Self.summary) }

    private static func summary(_ kind: Kind) -> LearnedDurations {
        LearnedDurations(finishes: kind.finishes.count, median: kind.law?.quantile(0.5), p90: kind.law?.quantile(0.9))
    }

    private mutating func append(_ finish: DurationObservation) {
        var kind = kinds[finish.kind, default: Kind()]
        kind.finishes.append(finish)
        if kind.finishes.count > window { kind.finishes.removeFirst(kind.finishes.count - window) }
        kind.sinceFit += 1
        kinds[finish.kind] = kind
    }

    private mutating func refit(_ name: String) {
        guard var kind = kinds[name] else { return }
        kind.sinceFit = 0
        kind.law =
            kind.finishes.count >= enoughFinishes
            ? DurationLaw.estimate(from: kind.finishes.map { ($0.lower, $0.upper) }) : nil
        kinds[name] = kind
    }
}
