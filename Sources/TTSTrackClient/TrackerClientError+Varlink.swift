import TTSTrackWire

extension TrackerClientError {
    /// The case for an error reply: a tracker error whose parameters have the interface's
    /// types, else `refused` with the parameters as they came.
    init(_ error: VarlinkError) {
        let fields = error.parameters
        let string = { (name: String) in fields[name]?.stringValue }
        let int = { (name: String) in fields[name]?.integerValue.map { Int(clamping: $0) } }
        switch error.name {
        case "io.ttstrack.Tracker.InvalidTaskId":
            if let id = string("task_id"), let reason = string("reason") {
                self = .invalidTaskID(id, reason: reason)
                return
            }
        case "io.ttstrack.Tracker.TooManyIds":
            if let max = int("max") {
                self = .tooManyIDs(max: max)
                return
            }
        case "io.ttstrack.Tracker.UnknownKind":
            if let kind = string("kind") {
                self = .unknownKind(kind)
                return
            }
        case "io.ttstrack.Tracker.StoreUnavailable":
            if let reason = string("reason") {
                self = .storeUnavailable(reason: reason)
                return
            }
        case "io.ttstrack.Tracker.WatchOverflow":
            if let max = int("max") {
                self = .watchOverflow(max: max)
                return
            }
        default:
            break
        }
        self = .refused(name: error.name, parameters: fields.mapValues(\.jsonText))
    }
}
