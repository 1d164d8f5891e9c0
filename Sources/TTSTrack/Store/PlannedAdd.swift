public import TTSTrackWire

/// An ``AddRequest`` with its schedule placed: when it was made and when each id is first due.
/// The schedule is decided before the call joins a commit, so a commit only writes.
public struct PlannedAdd: Sendable {
    public var request: AddRequest
    public var now: Timestamp
    /// When each id is first due, in the order of `request.ids`.
    public var firstChecks: [Timestamp]

    public init(request: AddRequest, now: Timestamp, firstChecks: [Timestamp]) {
        precondition(firstChecks.count == request.ids.count, "one first check per id")
        self.request = request
        self.now = now
        self.firstChecks = firstChecks
    }
}
