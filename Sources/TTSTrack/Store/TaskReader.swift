import TTSTrackWire

/// The read side of the store: its own SQLite connection (`query_only`) on its own executor,
/// so client reads never wait behind the scheduler's write transactions and fsyncs. The daemon
/// runs it on the control socket's event loop, so a `Get` is answered without a thread hop.
public actor TaskReader {
    private let executor: any SerialExecutor
    /// Internal (not private) for the reader's extensions in other files (the outbox).
    let db: Database

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

    /// The tasks in the order asked; an unknown id comes back `UNTRACKED`.
    public func get(_ ids: [String]) throws -> [TrackedTask] {
        try db.withStatement("SELECT \(TrackedTask.columns) FROM tasks WHERE task_id = :task_id") { select in
            var tasks: [TrackedTask] = []
            tasks.reserveCapacity(ids.count)
            for id in ids {
                select.reset()
                try select.bind([":task_id": .text(id)])
                tasks.append(try select.step() ? TrackedTask(row: select) : .untracked(id))
            }
            return tasks
        }
    }

    /// A page of tasks ordered by task id, strictly after `after`; with `tag`, only those that carry it.
    public func list(
        status: TaskStore.StatusFilter?, kind: String?, tag: String? = nil, limit: Int, after: String?
    ) throws -> [TrackedTask] {
        // One statement for every filter: an absent filter binds NULL and matches every row.
        // No id is empty, so "after ''" is the start; the range stays on the task_id index, or,
        // with a tag, on the index by (tag, task_id) (an "IS NULL OR" on the tag would hide it
        // from the planner, hence two texts).
        var exactStatus: String?
        var terminal: Bool?
        switch status {
        case .exactly(let text): exactStatus = text
        case .terminal: terminal = true
        case .active: terminal = false
        case nil: break
        }
        let tagged = tag == nil ? "" : "tag = :tag AND "
        return try db.withStatement(
            """
            SELECT \(TrackedTask.columns) FROM tasks
            WHERE \(tagged)task_id > :after AND (:status IS NULL OR status = :status)
                AND (:terminal IS NULL OR terminal = :terminal) AND (:kind IS NULL OR kind = :kind)
            ORDER BY task_id LIMIT :limit
            """
        ) { select in
            try select.bind([
                ":after": .text(after ?? ""), ":status": SQLiteValue(exactStatus),
                ":terminal": terminal.map(SQLiteValue.init) ?? .null, ":kind": SQLiteValue(kind),
                ":limit": SQLiteValue(limit),
            ])
            if let tag { try select.bind([":tag": .text(tag)]) }
            var tasks: [TrackedTask] = []
            while try select.step() {
                tasks.append(TrackedTask(row: select))
            }
            return tasks
        }
    }

    /// Number of tasks per status.
    public func countsByStatus() throws -> [String: Int] {
        try db.withStatement("SELECT status, count(*) FROM tasks GROUP BY status") { select in
            var counts: [String: Int] = [:]
            while try select.step() {
                counts[select.string(0)] = select.int(1)
            }
            return counts
        }
    }

    /// Number of tasks per status and kind, for `/metrics`; summed over kinds, the same as
    /// ``countsByStatus()``.
    public func countsByStatusAndKind() throws -> [TaskCount] {
        try db.withStatement("SELECT status, kind, count(*) FROM tasks GROUP BY status, kind") { select in
            var counts: [TaskCount] = []
            while try select.step() {
                counts.append(TaskCount(status: select.string(0), kind: select.string(1), count: select.int(2)))
            }
            return counts
        }
    }

    /// How many tasks have one status and kind.
    public struct TaskCount: Sendable, Hashable {
        public var status: String
        public var kind: String
        public var count: Int
    }

    /// Number of tasks per result state (`pending`, `done`, `failed`); tasks with no result
    /// fetched are not counted.
    public func countsByResultState() throws -> [String: Int] {
        try db.withStatement(
            "SELECT result_state, count(*) FROM tasks WHERE result_state IS NOT NULL GROUP BY result_state"
        ) { select in
            var counts: [String: Int] = [:]
            while try select.step() {
                counts[select.string(0)] = select.int(1)
            }
            return counts
        }
    }

    /// Recorded events with `seq` greater than `after`, oldest first.
    public func events(after: Int64, limit: Int) throws -> [TaskEvent] {
        try db.withStatement(
            "SELECT seq, \(TrackedTask.eventColumns) FROM events WHERE seq > :after ORDER BY seq LIMIT :limit"
        ) { select in
            try select.bind([":after": .integer(after), ":limit": SQLiteValue(limit)])
            var events: [TaskEvent] = []
            while try select.step() {
                events.append(TaskEvent(seq: select.int64(0), task: TrackedTask(row: select, offset: 1)))
            }
            return events
        }
    }

    /// The seq of the newest recorded event, 0 when there is none.
    public func lastEventSeq() throws -> Int64 {
        try db.withStatement("SELECT seq FROM sqlite_sequence WHERE name = 'events'") { select in
            try select.step() ? select.int64(0) : 0
        }
    }
}
