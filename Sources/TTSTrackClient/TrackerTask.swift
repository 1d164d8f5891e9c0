public import TTSTrackWire

/// One tracked task as the daemon last saw it: the interface's `Task`, typed. Decoding is
/// forgiving (a missing or differently typed field reads as empty or nil), so a program built
/// against this version still reads the replies of a newer daemon.
public struct TrackerTask: Sendable, Hashable {
    /// The id the CAMB.AI API returned when the task was created.
    public var taskID: String
    /// Which status endpoint is polled, e.g. `tts`.
    public var kind: String
    /// The API's status verbatim (PENDING, SUCCESS, ERROR, …), or one the daemon set: NOT_FOUND,
    /// EXPIRED, or UNTRACKED for an id it does not know. An open set, hence a string.
    public var status: String
    /// True once the status can no longer change.
    public var terminal: Bool
    /// With SUCCESS: the id the result is downloaded with.
    public var runID: Int64?
    public var reason: String?
    public var message: String?
    /// Status checks made so far.
    public var checks: Int64
    public var addedAt: Timestamp?
    public var updatedAt: Timestamp?
    public var checkedAt: Timestamp?
    public var nextCheckAt: Timestamp?
    /// `pending`, `done` or `failed` while a result is fetched for the task; nil otherwise.
    public var resultState: String?
    /// Where the finished result lies (absolute path), once done.
    public var resultPath: String?
    public var resultBytes: Int64?
    /// Why the last attempt to fetch the result failed, in plain words.
    public var resultError: String?
    /// The tag the task was added with, if any: the batch it belongs to.
    public var tag: String?
    /// The object as it came, for output that must show exactly what the daemon said.
    package var json: JSONValue

    /// True when the daemon does not track the id.
    public var isUntracked: Bool { status == "UNTRACKED" }

    package init(json: JSONValue) {
        self.json = json
        let field = { (name: String) in json[name] }
        taskID = field("task_id")?.stringValue ?? ""
        kind = field("kind")?.stringValue ?? ""
        status = field("status")?.stringValue ?? ""
        if case .bool(let value)? = field("terminal") { terminal = value } else { terminal = false }
        runID = field("run_id")?.integerValue
        reason = field("reason")?.stringValue
        message = field("message")?.stringValue
        checks = field("checks")?.integerValue ?? 0
        let time = { (name: String) in field(name)?.stringValue.flatMap(Timestamp.init(rfc3339:)) }
        addedAt = time("added_at")
        updatedAt = time("updated_at")
        checkedAt = time("checked_at")
        nextCheckAt = time("next_check_at")
        resultState = field("result_state")?.stringValue
        resultPath = field("result_path")?.stringValue
        resultBytes = field("result_bytes")?.integerValue
        resultError = field("result_error")?.stringValue
        tag = field("tag")?.stringValue
    }
}
