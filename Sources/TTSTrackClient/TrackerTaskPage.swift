package import TTSTrackWire

/// One page of `list`, ordered by task id.
public struct TrackerTaskPage: Sendable, Hashable {
    public var tasks: [TrackerTask]
    /// Pass as `after` for the following page; nil on the last page.
    public var next: String?
    /// The newest change recorded when the page was read (see ``TrackerSnapshot/seq``); nil
    /// from a daemon that does not say.
    public var seq: Int64?
    /// The reply as it came.
    package var reply: [String: JSONValue]

    init(reply: [String: JSONValue]) {
        self.reply = reply
        tasks = reply["tasks"]?.arrayValue?.map(TrackerTask.init(json:)) ?? []
        next = reply["next"]?.stringValue
        seq = reply["seq"]?.integerValue
    }
}
