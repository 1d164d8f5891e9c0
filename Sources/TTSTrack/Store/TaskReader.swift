import TTSTrackWire

/// The read side of the store: its own SQLite connection (`query_only`) on its own executor,
/// so client reads never wait behind the scheduler's write transactions and fsyncs. The daemon
/// runs it on the control socket's event loop, so a `Get` is answered without a thread hop.
public actor TaskReader {
    private let executor: any SerialExecutor
    private let db: Database

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    init(path: String, busyTimeout: Double, executor: (any SerialExecutor)? = nil) throws {
        self.executor = executor ?? SerialQueueExecutor(label: "io.ttstrack.store.reader")
        let db = try Database(path: path, create: false)
        db.setBusyTimeout(milliseconds: Int32(busyTimeout * 1000))
        try db.execute("PRAGMA query_only = 1")
        self.db = db
    }

    static let taskColumns =
        "task_id, kind, status, terminal, run_id, reason, message, checks, added_at, updated_at, checked_at, next_check_at"

    private static func readTask(_ row: Statement) -> TrackedTask {
        TrackedTask(
            taskID: row.string(0), kind: row.string(1), status: TaskStatus(row.string(2)),
            terminal: row.int64(3) != 0, runID: row.optionalInt64(4), reason: row.optionalString(5),
            message: row.optionalString(6), checks: row.int(7),
            addedAt: row.optionalInt64(8).map(Timestamp.init(milliseconds:)),
            updatedAt: row.optionalInt64(9).map(Timestamp.init(milliseconds:)),
            checkedAt: row.optionalInt64(10).map(Timestamp.init(milliseconds:)),
            nextCheckAt: row.optionalInt64(11).map(Timestamp.init(milliseconds:)))
    }

    /// The tasks in the order asked; an unknown id comes back `UNTRACKED`.
    public func get(_ ids: [String]) throws -> [TrackedTask] {
        let select = try db.cached("SELECT \(Self.taskColumns) FROM tasks WHERE task_id = ?")
        // Reset after use: a statement left on a row holds a read snapshot open.
        defer { select.reset() }
        var tasks: [TrackedTask] = []
        tasks.reserveCapacity(ids.count)
        for id in ids {
            select.reset()
            try select.bind(id, at: 1)
            if try select.step() {
                tasks.append(Self.readTask(select))
            } else {
                tasks.append(.untracked(id))
            }
        }
        return tasks
    }

    /// A page of tasks ordered by task id, strictly after `after`.
    public func list(status: TaskStore.StatusFilter?, kind: String?, limit: Int, after: String?) throws -> [TrackedTask]
    {
        var conditions: [String] = []
        var values: [SQLiteValue] = []
        if let after {
            conditions.append("task_id > ?")
            values.append(.text(after))
        }
        switch status {
        case .exactly(let text):
            conditions.append("status = ?")
            values.append(.text(text))
        case .terminal: conditions.append("terminal = 1")
        case .active: conditions.append("terminal = 0")
        case nil: break
        }
        if let kind {
            conditions.append("kind = ?")
            values.append(.text(kind))
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let select = try db.cached("SELECT \(Self.taskColumns) FROM tasks \(filter) ORDER BY task_id LIMIT ?")
        // Reset after use: a statement left on a row holds a read snapshot open.
        defer { select.reset() }
        values.append(.integer(Int64(limit)))
        try select.bind(values)
        var tasks: [TrackedTask] = []
        while try select.step() {
            tasks.append(Self.readTask(select))
        }
        return tasks
    }

    /// Number of tasks per status.
    public func countsByStatus() throws -> [String: Int] {
        let select = try db.cached("SELECT status, count(*) FROM tasks GROUP BY status")
        // Reset after use: a statement left on a row holds a read snapshot open.
        defer { select.reset() }
        var counts: [String: Int] = [:]
        while try select.step() {
            counts[select.string(0)] = select.int(1)
        }
        return counts
    }

    /// Recorded events with `seq` greater than `after`, oldest first.
    public func events(after: Int64, limit: Int) throws -> [TaskEvent] {
        let select = try db.cached(
            """
            SELECT seq, at, task_id, kind, status, terminal, run_id, reason, message, checks, added_at, checked_at
            FROM events WHERE seq > ? ORDER BY seq LIMIT ?
            """)
        // Reset after use: a statement left on a row holds a read snapshot open.
        defer { select.reset() }
        try select.bind(after, at: 1)
        try select.bind(Int64(limit), at: 2)
        var events: [TaskEvent] = []
        while try select.step() {
            let task = TrackedTask(
                taskID: select.string(2), kind: select.string(3), status: TaskStatus(select.string(4)),
                terminal: select.int64(5) != 0, runID: select.optionalInt64(6), reason: select.optionalString(7),
                message: select.optionalString(8), checks: select.int(9),
                addedAt: select.optionalInt64(10).map(Timestamp.init(milliseconds:)),
                updatedAt: Timestamp(milliseconds: select.int64(1)),
                checkedAt: select.optionalInt64(11).map(Timestamp.init(milliseconds:)))
            events.append(TaskEvent(seq: select.int64(0), task: task))
        }
        return events
    }

    /// The seq of the newest recorded event, 0 when there is none.
    public func lastEventSeq() throws -> Int64 {
        let select = try db.cached("SELECT seq FROM sqlite_sequence WHERE name = 'events'")
        // Reset after use: a statement left on a row holds a read snapshot open.
        defer { select.reset() }
        guard try select.step() else { return 0 }
        return select.int64(0)
    }
}
