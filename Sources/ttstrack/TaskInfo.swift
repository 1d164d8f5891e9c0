import TTSTrack

/// The fields of an `io.ttstrack.Tracker` `Task` that the tables and event lines show, read
/// from the reply's JSON. Missing fields are `nil`, not errors: a display must not fail.
struct TaskInfo {
    var taskID: String
    var kind: String
    var status: String
    var terminal: Bool
    var runID: Int64?
    var reason: String?
    var message: String?
    var checks: Int64
    var addedAt: Timestamp?
    var updatedAt: Timestamp?
    var checkedAt: Timestamp?
    var nextCheckAt: Timestamp?

    init(_ json: JSONValue) {
        let fields = ReplyFields(json)
        taskID = fields.string("task_id") ?? ""
        kind = fields.string("kind") ?? ""
        status = fields.string("status") ?? ""
        terminal = fields.bool("terminal") ?? false
        runID = fields.int("run_id")
        reason = fields.string("reason")
        message = fields.string("message")
        checks = fields.int("checks") ?? 0
        addedAt = fields.string("added_at").flatMap(Timestamp.init(rfc3339:))
        updatedAt = fields.string("updated_at").flatMap(Timestamp.init(rfc3339:))
        checkedAt = fields.string("checked_at").flatMap(Timestamp.init(rfc3339:))
        nextCheckAt = fields.string("next_check_at").flatMap(Timestamp.init(rfc3339:))
    }

    /// `reason: message`, or whichever of them is there; empty when neither is.
    var detail: String {
        switch (reason, message) {
        case (let reason?, let message?) where !reason.isEmpty && !message.isEmpty: "\(reason): \(message)"
        case (let reason?, _) where !reason.isEmpty: reason
        case (_, let message?) where !message.isEmpty: message
        default: ""
        }
    }
}
