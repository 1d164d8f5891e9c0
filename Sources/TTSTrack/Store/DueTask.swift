public import TTSTrackWire

/// What the scheduler needs of a task that is due for a status check.
public struct DueTask: Sendable, Hashable {
    /// The row's key: results are written against it, so a task removed (and perhaps re-added)
    /// while its check was in flight is never brought back by that check's result.
    public var rowID: Int64
    public var taskID: String
    public var kind: String
    public var status: TaskStatus
    public var runID: Int64?
    public var reason: String?
    public var message: String?
    public var checks: Int
    /// Failed checks in a row (transport errors, 5xx, malformed answers).
    public var failures: Int
    /// 404 answers in a row.
    public var notFoundStreak: Int
    public var addedAt: Timestamp
    public var nextCheckAt: Timestamp
    /// When the last check was made (nil before the first): a finish seen by the next check
    /// lies after it, and the adaptive schedule ranks due checks by it.
    public var checkedAt: Timestamp?

    public init(
        rowID: Int64, taskID: String, kind: String, status: TaskStatus, runID: Int64? = nil,
        reason: String? = nil, message: String? = nil, checks: Int = 0, failures: Int = 0,
        notFoundStreak: Int = 0, addedAt: Timestamp, nextCheckAt: Timestamp, checkedAt: Timestamp? = nil
    ) {
        self.rowID = rowID
        self.taskID = taskID
        self.kind = kind
        self.status = status
        self.runID = runID
        self.reason = reason
        self.message = message
        self.checks = checks
        self.failures = failures
        self.notFoundStreak = notFoundStreak
        self.addedAt = addedAt
        self.nextCheckAt = nextCheckAt
        self.checkedAt = checkedAt
    }
}

/// The new state of a task after one status check, as the store writes it.
public struct TaskUpdate: Sendable, Hashable {
    public var rowID: Int64
    public var taskID: String
    public var status: TaskStatus
    public var terminal: Bool
    public var runID: Int64?
    public var reason: String?
    public var message: String?
    public var checks: Int
    public var failures: Int
    public var notFoundStreak: Int
    public var checkedAt: Timestamp
    /// `nil` once terminal.
    public var nextCheckAt: Timestamp?
    /// True when status, run_id, reason or message differ from before: the store records an event.
    public var changed: Bool
    /// Set when the task just turned SUCCESS and its result is to be fetched into this
    /// directory: the download becomes due in the same transaction.
    public var resultDirectory: String?
    /// Set when the API just reported the task terminal: the interval its duration lies in,
    /// kept for the adaptive schedule in the same transaction.
    public var finish: DurationObservation?

    public init(
        rowID: Int64, taskID: String, status: TaskStatus, terminal: Bool, runID: Int64?, reason: String?,
        message: String?, checks: Int, failures: Int, notFoundStreak: Int, checkedAt: Timestamp,
        nextCheckAt: Timestamp?, changed: Bool, resultDirectory: String? = nil
    ) {
        self.rowID = rowID
        self.taskID = taskID
        self.status = status
        self.terminal = terminal
        self.runID = runID
        self.reason = reason
        self.message = message
        self.checks = checks
        self.failures = failures
        self.notFoundStreak = notFoundStreak
        self.checkedAt = checkedAt
        self.nextCheckAt = nextCheckAt
        self.changed = changed
        self.resultDirectory = resultDirectory
    }
}

extension DueTask {
    /// A position in due order, (next_check_at, row): where the previous batch of due tasks
    /// ended, so the next one starts after it.
    public struct Cursor: Sendable, Hashable {
        public var nextCheckAt: Timestamp
        public var rowID: Int64

        public init(nextCheckAt: Timestamp, rowID: Int64) {
            self.nextCheckAt = nextCheckAt
            self.rowID = rowID
        }
    }

    /// This task's position in due order.
    public var cursor: Cursor { Cursor(nextCheckAt: nextCheckAt, rowID: rowID) }
}
