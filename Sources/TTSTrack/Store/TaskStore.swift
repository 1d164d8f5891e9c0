public import TTSTrackWire

/// The one owner of the SQLite database: tasks, their schedule and the event log.
///
/// An actor on its own serial queue: SQLite work (and its fsyncs) never blocks the cooperative
/// pool, and every write is ordered. The schema is versioned with `PRAGMA user_version`.
public actor TaskStore {
    private let executor: SerialQueueExecutor
    private let db: Database
    private let lock: StoreLock
    /// Where the database lives, for messages.
    public nonisolated let path: String
    /// Reads for clients (Get, List, Stats, Watch replay) run on a second connection and queue:
    /// WAL lets them proceed while the scheduler's writes commit.
    public nonisolated let reader: TaskReader

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Opens the store at `path`, taking its lock, refusing foreign or newer files, and migrating.
    /// - Parameter readerExecutor: where ``reader`` runs (its own serial queue when nil).
    public init(path: String, busyTimeout: Double = 5, readerExecutor: (any SerialExecutor)? = nil) throws {
        self.lock = try StoreLock(path: path + ".lock")
        self.executor = SerialQueueExecutor(label: "io.ttstrack.store")
        self.path = path
        let db: Database
        do {
            db = try Database(path: path)
        } catch let error as SQLiteError {
            throw TaskStoreError("cannot open the store \(path): \(error.message)")
        }
        db.setBusyTimeout(milliseconds: Int32(busyTimeout * 1000))
        try Self.prepareSchema(db, path: path)
        do {
            // WAL: readers never block the writer. synchronous=FULL: a commit is on disk when
            // COMMIT returns, so an acknowledged Add survives kill -9 and power loss alike.
            try db.execute("PRAGMA journal_mode = WAL")
            try db.execute("PRAGMA synchronous = FULL")
            try db.execute("PRAGMA temp_store = MEMORY")
        } catch let error as SQLiteError {
            throw TaskStoreError("cannot prepare the store \(path): \(error.message)")
        }
        self.db = db
        do {
            self.reader = try TaskReader(path: path, busyTimeout: busyTimeout, executor: readerExecutor)
        } catch let error as SQLiteError {
            throw TaskStoreError("cannot open the store \(path) for reading: \(error.message)")
        }
    }

    // MARK: Adding and removing

    /// Inserts the ids not yet tracked, in one transaction committed before it returns.
    /// - Returns: how many were new and how many were already tracked (left as they were).
    public func add(
        _ ids: [String], kind: String, now: Timestamp, firstCheckAt: @Sendable (Int) -> Timestamp
    ) throws -> (added: Int, existing: Int) {
        var added = 0
        try db.transaction {
            let insert = try db.cached(
                """
                INSERT INTO tasks (task_id, kind, status, added_at, updated_at, next_check_at)
                VALUES (?, ?, 'PENDING', ?, ?, ?) ON CONFLICT (task_id) DO NOTHING
                """)
            // Reset after use: a statement left on a row holds a read snapshot open.
            defer { insert.reset() }
            for (index, id) in ids.enumerated() {
                insert.reset()
                try insert.bind(id, at: 1)
                try insert.bind(kind, at: 2)
                try insert.bind(now.rawValue, at: 3)
                try insert.bind(now.rawValue, at: 4)
                try insert.bind(firstCheckAt(index).rawValue, at: 5)
                try insert.run()
                added += db.changes
            }
        }
        return (added, ids.count - added)
    }

    /// Forgets the ids and records an `UNTRACKED` event for each one that was tracked.
    public func remove(_ ids: [String], now: Timestamp) throws -> [TaskEvent] {
        try db.transaction {
            let delete = try db.cached(
                "DELETE FROM tasks WHERE task_id = ? RETURNING kind, checks, added_at, checked_at")
            // Reset after use: a statement left on a row holds a read snapshot open.
            defer { delete.reset() }
            var events: [TaskEvent] = []
            for id in ids {
                delete.reset()
                try delete.bind(id, at: 1)
                guard try delete.step() else { continue }
                let task = TrackedTask(
                    taskID: id, kind: delete.string(0), status: .untracked, terminal: false,
                    checks: delete.int(1), addedAt: Timestamp(milliseconds: delete.int64(2)), updatedAt: now,
                    checkedAt: delete.optionalInt64(3).map(Timestamp.init(milliseconds:)))
                try delete.run()
                events.append(try recordEvent(task, at: now))
            }
            return events
        }
    }

    // MARK: Reading

    // MARK: Reading, on the reader's own connection

    /// The tasks in the order asked; an unknown id comes back `UNTRACKED`.
    public nonisolated func get(_ ids: [String]) async throws -> [TrackedTask] {
        try await reader.get(ids)
    }

    /// A page of tasks ordered by task id, strictly after `after`.
    public nonisolated func list(
        status: StatusFilter?, kind: String?, limit: Int, after: String?
    ) async throws
        -> [TrackedTask]
    {
        try await reader.list(status: status, kind: kind, limit: limit, after: after)
    }

    /// Number of tasks per status.
    public nonisolated func countsByStatus() async throws -> [String: Int] {
        try await reader.countsByStatus()
    }

    /// Recorded events with `seq` greater than `after`, oldest first.
    public nonisolated func events(after: Int64, limit: Int) async throws -> [TaskEvent] {
        try await reader.events(after: after, limit: limit)
    }

    /// The seq of the newest recorded event, 0 when there is none.
    public nonisolated func lastEventSeq() async throws -> Int64 {
        try await reader.lastEventSeq()
    }

    /// Which statuses `List` can filter by, besides a literal status.
    public enum StatusFilter: Sendable, Hashable {
        case exactly(String)
        case terminal
        case active
    }

    // MARK: Scheduling

    /// Up to `limit` non-terminal tasks due at `now`, the longest overdue first (ties by row),
    /// after `cursor` when given, skipping the ids in `excluding` (those already handed out).
    /// Reads the partial index `tasks_due`, no scan and no sort.
    public func dueTasks(
        now: Timestamp, limit: Int, after cursor: DueTask.Cursor? = nil, excluding: Set<String>
    )
        throws -> [DueTask]
    {
        // Rows after the cursor in (next_check_at, id) order: what an earlier batch handed out
        // lies before it, so nothing claimed has to be read and skipped. Without a cursor, from
        // the very start.
        let select = try db.cached(
            """
            SELECT id, task_id, kind, status, run_id, reason, message, checks, failures, not_found,
                   added_at, next_check_at
            FROM tasks WHERE terminal = 0 AND next_check_at <= ?1 AND (next_check_at, id) > (?3, ?4)
            ORDER BY next_check_at, id LIMIT ?2
            """)
        try select.bind(cursor?.nextCheckAt.rawValue ?? .min, at: 3)
        try select.bind(cursor?.rowID ?? .min, at: 4)
        // Reset after use: a statement left on a row holds a read snapshot open.
        defer { select.reset() }
        try select.bind(now.rawValue, at: 1)
        try select.bind(Int64(limit + excluding.count), at: 2)
        var due: [DueTask] = []
        while due.count < limit, try select.step() {
            let taskID = select.string(1)
            if excluding.contains(taskID) { continue }
            due.append(
                DueTask(
                    rowID: select.int64(0), taskID: taskID, kind: select.string(2),
                    status: TaskStatus(select.string(3)), runID: select.optionalInt64(4),
                    reason: select.optionalString(5), message: select.optionalString(6), checks: select.int(7),
                    failures: select.int(8), notFoundStreak: select.int(9),
                    addedAt: Timestamp(milliseconds: select.int64(10)),
                    nextCheckAt: Timestamp(milliseconds: select.int64(11))))
        }
        return due
    }

    /// Writes the results of status checks in one transaction and records an event for each
    /// change. A row that was removed meanwhile is left removed.
    public func apply(_ updates: [TaskUpdate], now: Timestamp) throws -> [TaskEvent] {
        guard !updates.isEmpty else { return [] }
        return try db.transaction {
            let update = try db.cached(
                """
                UPDATE tasks SET status = ?, terminal = ?, run_id = ?, reason = ?, message = ?, checks = ?,
                    failures = ?, not_found = ?, checked_at = ?, next_check_at = ?,
                    updated_at = CASE WHEN ? THEN ? ELSE updated_at END
                WHERE id = ? RETURNING kind, added_at
                """)
            // Reset after use: a statement left on a row holds a read snapshot open.
            defer { update.reset() }
            var events: [TaskEvent] = []
            for change in updates {
                update.reset()
                try update.bind(change.status.rawValue, at: 1)
                try update.bind(Int64(change.terminal ? 1 : 0), at: 2)
                try update.bind(change.runID, at: 3)
                try update.bind(change.reason, at: 4)
                try update.bind(change.message, at: 5)
                try update.bind(Int64(change.checks), at: 6)
                try update.bind(Int64(change.failures), at: 7)
                try update.bind(Int64(change.notFoundStreak), at: 8)
                try update.bind(change.checkedAt.rawValue, at: 9)
                try update.bind(change.nextCheckAt?.rawValue, at: 10)
                try update.bind(Int64(change.changed ? 1 : 0), at: 11)
                try update.bind(now.rawValue, at: 12)
                try update.bind(change.rowID, at: 13)
                guard try update.step() else { continue }
                let kind = update.string(0)
                let addedAt = Timestamp(milliseconds: update.int64(1))
                try update.run()
                guard change.changed else { continue }
                let task = TrackedTask(
                    taskID: change.taskID, kind: kind, status: change.status, terminal: change.terminal,
                    runID: change.runID, reason: change.reason, message: change.message, checks: change.checks,
                    addedAt: addedAt, updatedAt: now, checkedAt: change.checkedAt, nextCheckAt: change.nextCheckAt)
                events.append(try recordEvent(task, at: now))
            }
            return events
        }
    }

    // MARK: Events

    private func recordEvent(_ task: TrackedTask, at now: Timestamp) throws -> TaskEvent {
        let insert = try db.cached(
            """
            INSERT INTO events (at, task_id, kind, status, terminal, run_id, reason, message, checks, added_at, checked_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        // Reset after use: a statement left on a row holds a read snapshot open.
        defer { insert.reset() }
        try insert.bind(now.rawValue, at: 1)
        try insert.bind(task.taskID, at: 2)
        try insert.bind(task.kind, at: 3)
        try insert.bind(task.status.rawValue, at: 4)
        try insert.bind(Int64(task.terminal ? 1 : 0), at: 5)
        try insert.bind(task.runID, at: 6)
        try insert.bind(task.reason, at: 7)
        try insert.bind(task.message, at: 8)
        try insert.bind(Int64(task.checks), at: 9)
        try insert.bind(task.addedAt?.rawValue, at: 10)
        try insert.bind(task.checkedAt?.rawValue, at: 11)
        try insert.run()
        return TaskEvent(seq: db.lastInsertRowID, task: task)
    }

    /// Deletes events recorded before `cutoff`; returns how many.
    @discardableResult
    public func pruneEvents(before cutoff: Timestamp) throws -> Int {
        let delete = try db.cached("DELETE FROM events WHERE at < ?")
        // Reset after use: a statement left on a row holds a read snapshot open.
        defer { delete.reset() }
        try delete.bind(cutoff.rawValue, at: 1)
        try delete.run()
        return db.changes
    }
}
