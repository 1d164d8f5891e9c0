package import TTSTrackWire

/// What `wait` ended with.
public struct TrackerWaitResult: Sendable, Hashable {
    /// True when every task is terminal or untracked; false when the timeout came first.
    public var done: Bool
    /// The tasks in the order asked (the ids, then the other tasks of the tag by id), as they
    /// were when the wait ended.
    public var tasks: [TrackerTask]
    /// The reply as it came.
    package var reply: [String: JSONValue]

    init(reply: [String: JSONValue]) {
        self.reply = reply
        if case .bool(let value)? = reply["done"] { done = value } else { done = false }
        tasks = reply["tasks"]?.arrayValue?.map(TrackerTask.init(json:)) ?? []
    }
}
