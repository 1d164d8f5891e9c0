import TTSTrackWire

/// Why a call to the tracker failed. The tracker's own refusals are cases of their own, so a
/// program can react to a bad id or a full store without parsing text; every other Varlink
/// error keeps its name and parameters.
public enum TrackerClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No daemon listens at `path`: not started, wrong path, or no permission.
    case unreachable(path: String, reason: String)
    /// The daemon closed the connection before the call was answered.
    case disconnected(path: String)
    /// The daemon sent something that is not a Varlink reply.
    case invalidReply(String)
    /// `io.ttstrack.Tracker.InvalidTaskId`: the id breaks the id rules; `reason` says how.
    case invalidTaskID(String, reason: String)
    /// `io.ttstrack.Tracker.TooManyIds`: more than `max` ids in one call.
    case tooManyIDs(max: Int)
    /// `io.ttstrack.Tracker.UnknownKind`: the daemon does not poll this kind.
    case unknownKind(String)
    /// `io.ttstrack.Tracker.StoreUnavailable`: the daemon's store could not be read or written
    /// (disk full, read-only, locked); nothing was changed, and a retry may succeed.
    case storeUnavailable(reason: String)
    /// `io.ttstrack.Tracker.WatchOverflow`: a watch read events slower than they came and fell
    /// more than `max` behind; it has ended, and may be restarted with `since`.
    case watchOverflow(max: Int)
    /// Any other error reply, such as `org.varlink.service.InvalidParameter`: its fully
    /// qualified name and its parameters, each as JSON text.
    case refused(name: String, parameters: [String: String])

    /// The Varlink error name of a refusal from the daemon; nil for failures of the connection.
    public var errorName: String? {
        switch self {
        case .unreachable, .disconnected, .invalidReply: nil
        case .invalidTaskID: "io.ttstrack.Tracker.InvalidTaskId"
        case .tooManyIDs: "io.ttstrack.Tracker.TooManyIds"
        case .unknownKind: "io.ttstrack.Tracker.UnknownKind"
        case .storeUnavailable: "io.ttstrack.Tracker.StoreUnavailable"
        case .watchOverflow: "io.ttstrack.Tracker.WatchOverflow"
        case .refused(let name, _): name
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let path, let reason): "cannot reach ttstrackd at \(path): \(reason)"
        case .disconnected(let path): "ttstrackd at \(path) closed the connection"
        case .invalidReply(let text): "unexpected reply: \(text)"
        case .invalidTaskID(let id, let reason): "invalid task id \(Self.quoted(id)): \(reason)"
        case .tooManyIDs(let max): "at most \(max) ids in one call"
        case .unknownKind(let kind): "unknown kind \(Self.quoted(kind))"
        case .storeUnavailable(let reason): "store unavailable: \(reason)"
        case .watchOverflow(let max): "watch fell more than \(max) events behind"
        case .refused(let name, let parameters):
            ([name] + parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }).joined(separator: " ")
        }
    }

    /// In double quotes with JSON escapes, so control characters stay visible.
    static func quoted(_ text: String) -> String {
        JSONValue.string(text).jsonText
    }
}
