public import TTSTrackWire

/// One tracked task as the store last recorded it; the ``Task`` of the Varlink interface.
public struct TrackedTask: Sendable, Hashable {
    public var taskID: String
    public var kind: String
    public var status: TaskStatus
    public var terminal: Bool
    public var runID: Int64?
    public var reason: String?
    public var message: String?
    public var checks: Int
    public var addedAt: Timestamp?
    public var updatedAt: Timestamp?
    public var checkedAt: Timestamp?
    public var nextCheckAt: Timestamp?
    /// Whether the result is being fetched (`pending`), lies on disk (`done`) or could not be
    /// had (`failed`); nil when no result is fetched for this task.
    public var resultState: ResultState?
    /// Where the finished result lies (absolute path), once done.
    public var resultPath: String?
    public var resultBytes: Int64?
    /// Why the last attempt failed, in plain words.
    public var resultError: String?
    /// The tag given when the task was first added, if any: the batch it belongs to.
    public var tag: String?

    public init(
        taskID: String, kind: String, status: TaskStatus, terminal: Bool, runID: Int64? = nil,
        reason: String? = nil, message: String? = nil, checks: Int = 0, addedAt: Timestamp? = nil,
        updatedAt: Timestamp? = nil, checkedAt: Timestamp? = nil, nextCheckAt: Timestamp? = nil,
        resultState: ResultState? = nil, resultPath: String? = nil, resultBytes: Int64? = nil,
        resultError: String? = nil, tag: String? = nil
    ) {
        self.taskID = taskID
        self.kind = kind
        self.status = status
        self.terminal = terminal
        self.runID = runID
        self.reason = reason
        self.message = message
        self.checks = checks
        self.addedAt = addedAt
        self.updatedAt = updatedAt
        self.checkedAt = checkedAt
        self.nextCheckAt = nextCheckAt
        self.resultState = resultState
        self.resultPath = resultPath
        self.resultBytes = resultBytes
        self.resultError = resultError
        self.tag = tag
    }

    /// The reply for an id the daemon does not know.
    public static func untracked(_ taskID: String) -> TrackedTask {
        TrackedTask(taskID: taskID, kind: TaskKind.tts.rawValue, status: .untracked, terminal: false)
    }

    /// True when a `Wait` need not wait for this task any more: terminal with its result (if
    /// one is fetched) settled, or unknown.
    public var isSettled: Bool { (terminal && resultState != .pending) || status == .untracked }
}
