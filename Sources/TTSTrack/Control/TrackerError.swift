import TTSTrackWire

/// The errors of `io.ttstrack.Tracker` itself, as the interface text declares them. The
/// tracker's methods throw these; ``varlinkError`` is the one place they become a Varlink
/// error reply, so the Varlink transport never needs to know them.
enum TrackerError: Error, Sendable, Equatable {
    case invalidTaskID(String, reason: String)
    case tooManyIDs(max: Int)
    case unknownKind(String)
    /// The store could not be read or written; nothing was changed.
    case storeUnavailable(reason: String)
    /// A `Watch` reader fell more than `max` events behind.
    case watchOverflow(max: Int)

    /// The interface's error name.
    static let interface = "io.ttstrack.Tracker"

    /// The error reply: `io.ttstrack.Tracker.<Name>` and its parameters.
    var varlinkError: VarlinkError {
        switch self {
        case .invalidTaskID(let id, let reason):
            VarlinkError("\(Self.interface).InvalidTaskId", ["task_id": .string(id), "reason": .string(reason)])
        case .tooManyIDs(let max):
            VarlinkError("\(Self.interface).TooManyIds", ["max": .int(Int64(max))])
        case .unknownKind(let kind):
            VarlinkError("\(Self.interface).UnknownKind", ["kind": .string(kind)])
        case .storeUnavailable(let reason):
            VarlinkError("\(Self.interface).StoreUnavailable", ["reason": .string(reason)])
        case .watchOverflow(let max):
            VarlinkError("\(Self.interface).WatchOverflow", ["max": .int(Int64(max))])
        }
    }
}
