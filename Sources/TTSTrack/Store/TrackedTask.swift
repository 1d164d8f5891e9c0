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

    public init(
        taskID: String, kind: String, status: TaskStatus, terminal: Bool, runID: Int64? = nil,
        reason: String? = nil, message: String? = nil, checks: Int = 0, addedAt: Timestamp? = nil,
        updatedAt: Timestamp? = nil, checkedAt: Timestamp? = nil, nextCheckAt: Timestamp? = nil
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
    }

    /// The reply for an id the daemon does not know.
    public static func untracked(_ taskID: String) -> TrackedTask {
        TrackedTask(taskID: taskID, kind: TaskKind.tts.rawValue, status: .untracked, terminal: false)
    }

    /// True when a `Wait` need not wait for this task any more.
    public var isSettled: Bool { terminal || status == .untracked }
}
