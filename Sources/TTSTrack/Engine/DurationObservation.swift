public import TTSTrackWire

/// What the checks around one finish showed of how long a task of a kind took: it finished
/// after `lower` seconds from Add (the last check that saw it not yet terminal) and by `upper`
/// (the first check that saw it terminal). The finish itself is never seen, only this interval.
public struct DurationObservation: Sendable, Hashable {
    public var kind: String
    /// Seconds from Add to the last check that saw the task not yet terminal (0 when none did).
    public var lower: Double
    /// Seconds from Add to the check that saw it terminal.
    public var upper: Double
    /// When the terminal check was made.
    public var at: Timestamp

    public init(kind: String, lower: Double, upper: Double, at: Timestamp) {
        self.kind = kind
        self.lower = max(0, min(lower, upper))
        self.upper = max(upper, 0)
        self.at = at
    }
}
