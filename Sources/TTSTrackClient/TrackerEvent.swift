package import TTSTrackWire

/// A status change, as a watch delivers it.
public struct TrackerEvent: Sendable, Hashable {
    /// Increases by one with every change the daemon records: pass the last one seen as
    /// `since` to a new watch and nothing in between is missed.
    public var seq: Int64
    public var task: TrackerTask
    /// The event object as it came.
    package var json: JSONValue

    package init(json: JSONValue) {
        self.json = json
        seq = json["seq"]?.integerValue ?? 0
        task = TrackerTask(json: json["task"] ?? .null)
    }
}
