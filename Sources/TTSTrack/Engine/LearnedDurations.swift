/// What the schedule has learned of one kind's durations, as `Stats` (and the metrics) show it.
public struct LearnedDurations: Sendable, Hashable {
    /// Finishes seen and kept (a bounded recent window).
    public var finishes: Int
    /// Seconds from Add to the finish, once enough finishes are seen to estimate them.
    public var median: Double?
    public var p90: Double?

    public init(finishes: Int, median: Double? = nil, p90: Double? = nil) {
        self.finishes = finishes
        self.median = median
        self.p90 = p90
    }
}
