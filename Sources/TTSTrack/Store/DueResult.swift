public import TTSTrackWire

/// A task whose result is due to be fetched.
public struct DueResult: Sendable, Hashable {
    /// The row's key: what an attempt came to is written against it.
    public var rowID: Int64
    public var taskID: String
    public var kind: String
    public var runID: Int64
    /// Failed attempts so far.
    public var attempts: Int
    /// Where the result goes.
    public var directory: String
    public var dueAt: Timestamp

    public init(
        rowID: Int64, taskID: String, kind: String, runID: Int64, attempts: Int, directory: String, dueAt: Timestamp
    ) {
        self.rowID = rowID
        self.taskID = taskID
        self.kind = kind
        self.runID = runID
        self.attempts = attempts
        self.directory = directory
        self.dueAt = dueAt
    }
}

/// What one attempt came to, as the store writes it.
public struct ResultUpdate: Sendable, Hashable {
    public var rowID: Int64
    public var taskID: String
    /// `pending` again (a retry is due at ``nextAttemptAt``), `done` or `failed`.
    public var state: ResultState
    public var path: String?
    public var bytes: Int64?
    public var error: String?
    public var attempts: Int
    public var nextAttemptAt: Timestamp?

    public init(
        rowID: Int64, taskID: String, state: ResultState, path: String? = nil, bytes: Int64? = nil,
        error: String? = nil, attempts: Int, nextAttemptAt: Timestamp? = nil
    ) {
        self.rowID = rowID
        self.taskID = taskID
        self.state = state
        self.path = path
        self.bytes = bytes
        self.error = error
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
    }
}
