/// What the adaptive schedule has learned about one kind, as `/metrics` shows it: how many
/// finishes it learned from, and how long tasks take to finish at some quantiles.
public struct ScheduleFigures: Sendable, Equatable {
    public var finishes: Int
    /// Seconds from Add to finish, by quantile (0.5, 0.9, …).
    public var durationQuantiles: [Double: Double]

    public init(finishes: Int, durationQuantiles: [Double: Double] = [:]) {
        self.finishes = finishes
        self.durationQuantiles = durationQuantiles
    }

    /// Asked at each scrape: the figures per kind. The schedule's learner provides them; until
    /// one is plugged in, ``none`` says nothing is learned.
    public typealias Provider = @Sendable () async -> [String: ScheduleFigures]

    public static let none: Provider = { [:] }
}
