public import TTSTrackWire

/// The one owner of the SQLite database: tasks, their schedule and the event log.
///
/// An actor on its own serial queue: SQLite work (and its fsyncs) never blocks the cooperative
/// pool, and every write is ordered. The schema is versioned with `PRAGMA user_version`.
public actor TaskStore {
    private let executor: WriterQueueExecutor
    /// Internal (not private) for the store's extensions in other files (the outbox, learned
    /// durations).
    let db: Database
    private let lock: StoreLock
    /// Copies the WAL into the database beside the commits, never inside one.
    private nonisolated let checkpointer: Checkpointer

    /// Why the WAL is no longer copied into the database, after a failed sync of the database
    /// file; nil normally. Shown as the store's error until a restart.
    public nonisolated var checkpointFailure: String? { checkpointer.failure }
    /// Where the database lives, for messages.
    public nonisolated let path: String
    /// Reads for clients (Get, List, Stats, Watch replay) run on a second connection and queue:
    /// WAL lets them proceed while the scheduler's writes commit.
    public nonisolated let reader: TaskReader
    /// Reads that may visit every task (Stats' counts, the metrics scrape, a List filtered by
    /// status or kind) run on a third connection and a queue of their own: at a million tasks
    /// such a read takes a fifth of a second, and on ``reader``, which the daemon runs on the
    /// control socket's loop, it would hold up every Get and Add meanwhile.
    public nonisolated let scanner: TaskReader
    /// Where the store publishes the events of each commit, once committed: the one source of
    /// change notifications for `Wait` and `Watch`.
    public nonisolated let hub: ChangeHub
    /// Delivery: the configured targets and the engine's wake-up (see `TaskStore+Outbox`).
    var outbox = Outbox()

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// The writer's queue as a task executor: a task that prefers it calls the writer without
    /// waiting for another thread (the group commit of `Add` drains on it).
    package nonisolated var writerExecutor: any TaskExecutor { executor }

    /// Opens the store at `path`, taking its lock, refusing foreign or newer files, and migrating.
    /// - Parameter readerExecutor: where ``reader`` runs (its own serial queue when nil).
    public init(
        path: String, busyTimeout: Double = 5, readerExecutor: (any SerialExecutor)? = nil, hub: ChangeHub = ChangeHub()
    ) throws {
        try self.init(
            path: path, busyTimeout: busyTimeout, readerExecutor: readerExecutor, hub: hub,
            checkpointSync: { try $0.syncDatabaseFile() })
    }

    /// - Parameter checkpointThreshold: the WAL's size in pages at which it is copied back into
    ///   the database; a commit that finds ten times as many copies it itself (tests make it
    ///   small, to reach both with few commits).
    /// - Parameter checkpointSync: how the checkpointer makes a copy durable (tests make it fail).
    package init(
        path: String, busyTimeout: Double = 5, readerExecutor: (any SerialExecutor)? = nil,
        hub: ChangeHub = ChangeHub(), checkpointThreshold: Int = Checkpointer.defaultThreshold,
        checkpointSync: @escaping @Sendable (Database) throws -> Void
    ) throws {
        self.hub = hub
        self.lock = try StoreLock(path: path + ".lock")
        self.executor = WriterQueueExecutor(label: "io.ttstrack.store")
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
        do {
            let checkpointer = try Checkpointer(
                path: path, busyTimeout: busyTimeout, threshold: checkpointThreshold, sync: checkpointSync)
            db.handOffCheckpoints(backstop: checkpointer.backstop) { pages in
                checkpointer.walHolds(pages: pages)
            }
            self.checkpointer = checkpointer
        } catch let error as SQLiteError {
            throw TaskStoreError("cannot open the store \(path) for checkpoints: \(error.message)")
        }
        self.db = db
        do {
            self.reader = try TaskReader(path: path, busyTimeout: busyTimeout, executor: readerExecutor)
            self.scanner = try TaskReader(
                path: path, busyTimeout: busyTimeout, executor: SerialQueueExecutor(label: "io.ttstrack.store.scanner"))
        } catch let error as SQLiteError {
            throw TaskStoreError("cannot open the store \(path) for reading: \(error.message)")
        }
    }

    // MARK: Adding and removing

    /// Inserts the ids not yet tracked, in one transaction committed before it returns.
    /// - Parameter firstChecks: when each id is first due, in the order of `ids` (the schedule
    ///   decides; see ``Schedule``).
    /// - Parameter tag: put on the new ids; one already tracked keeps the tag it has (or none).
    /// - Returns: how many were new and how many were already tracked (left as they were).
    public func add(
        _ ids: [String], kind: String, tag: String? = nil, now: Timestamp, firstChecks: [Timestamp]
    ) throws -> (added: Int, existing: Int) {
        let request = PlannedAdd(
            request: AddRequest(ids: ids, kind: kind, tag: tag), now: now, firstChecks: firstChecks)
        let counts = try add([request])[0]
        return (counts.added, counts.existing)
    }

    /// Inserts the ids of several `Add` calls in one transaction (group commit), committed before
    /// it returns. Each call's counts are what it would have got alone, had the calls run one
    /// after another in this order: an id in two calls is added by the first and existing for
    /// the second. When the commit fails nothing of any call is stored.
    public func add(_ group: [PlannedAdd]) throws -> [AddCounts] {
        try db.transaction {
            try db.withStatement(
                """
                INSERT INTO tasks (task_id, kind, tag, status, added_at, updated_at, next_check_at)
                VALUES (:task_id, :kind, :tag, 'PENDING', :now, :now, :next_check_at) ON CONFLICT (task_id) DO NOTHING
                """
            ) { insert in
                try group.map { planned in
                    let request = planned.request
                    var added = 0
                    for (index, id) in request.ids.enumerated() {
                        insert.reset()
                        try insert.bind([
                            ":task_id": .text(id), ":kind": .text(request.kind), ":tag": SQLiteValue(request.tag),
                            ":now": .integer(planned.now.rawValue),
                            ":next_check_at": .integer(planned.firstChecks[index].rawValue),
                        ])
                        try insert.run()
                        added += db.changes
                    }
                    return AddCounts(added: added, existing: request.ids.count - added)
                }
            }
        }
    }

    /// Forgets the ids; each one that was tracked becomes an `UNTRACKED` event, recorded and,
    /// once committed, published.
    @discardableResult
    public func remove(_ ids: [String], now: Timestamp) throws -> [TaskEvent] {
        var released = 0
        let events = try db.transaction {
            try db.withStatement("DELETE FROM tasks WHERE task_id = :task_id RETURNING \(TrackedTask.columns)") {
                delete in
                var events: [TaskEvent] = []
                for id in ids {
                    delete.reset()
                    try delete.bind([":task_id": .text(id)])
                    guard try delete.step() else { continue }
                    let removed = TrackedTask(row: delete)
                    try delete.run()
                    // Delivery: deliveries held for a result that will now never settle go out as
                    // the task was.
                    released += try releaseHeldDeliveries(for: removed, now: now)
                    let task = TrackedTask(
                        taskID: id, kind: removed.kind, status: .untracked, terminal: false, checks: removed.checks,
                        addedAt: removed.addedAt, updatedAt: now, checkedAt: removed.checkedAt, tag: removed.tag)
                    events.append(try recordEvent(task, at: now))
                }
                return events
            }
        }
        hub.publish(events)
        signalDeliveries(released)
        return events
    }

    // MARK: Reading, on the reader's own connection

    /// The tasks in the order asked; an unknown id comes back `UNTRACKED`.
    public nonisolated func get(_ ids: [String]) async throws -> [TrackedTask] {
        try await reader.get(ids)
    }

    /// A page of tasks ordered by task id, strictly after `after`; with `tag`, only those that carry it.
    public nonisolated func list(
        status: StatusFilter?, kind: String?, tag: String? = nil, limit: Int, after: String?
    ) async throws
        -> [TrackedTask]
    {
        try await listReader(status: status, kind: kind).list(
            status: status, kind: kind, tag: tag, limit: limit, after: after)
    }

    /// Where a list runs: filtered by status or kind it may scan (no index serves those), so on
    /// ``scanner``; by task id or tag alone on an index, on ``reader``.
    private nonisolated func listReader(status: StatusFilter?, kind: String?) -> TaskReader {
        status == nil && kind == nil ? reader : scanner
    }

    /// ``get(_:)`` with the seq of the newest change it is as of (see ``TaskReader/getWithSeq(_:)``).
    public nonisolated func getWithSeq(_ ids: [String]) async throws -> (tasks: [TrackedTask], seq: Int64) {
        try await reader.getWithSeq(ids)
    }

    /// ``list(status:kind:tag:limit:after:)`` with the seq of the newest change it is as of.
    public nonisolated func listWithSeq(
        status: StatusFilter?, kind: String?, tag: String? = nil, limit: Int, after: String?
    ) async throws -> (tasks: [TrackedTask], seq: Int64) {
        try await listReader(status: status, kind: kind).listWithSeq(
            status: status, kind: kind, tag: tag, limit: limit, after: after)
    }

    /// Number of tasks per status (a scan, on ``scanner``).
    public nonisolated func countsByStatus() async throws -> [String: Int] {
        try await scanner.countsByStatus()
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
    ) throws -> [DueTask] {
        try duePage(
            """
            SELECT id, task_id, kind, status, run_id, reason, message, checks, failures, not_found,
                   added_at, next_check_at, checked_at
            FROM tasks WHERE terminal = 0 AND next_check_at <= :now
                AND (next_check_at, id) > (:cursor_due_at, :cursor_id)
            ORDER BY next_check_at, id LIMIT :limit
            """, now: now, limit: limit, after: cursor, excluding: excluding
        ) { (select: Statement, taskID: String) -> DueTask in
            DueTask(
                rowID: select.int64(0), taskID: taskID, kind: select.string(2),
                status: TaskStatus(select.string(3)), runID: select.optionalInt64(4),
                reason: select.optionalString(5), message: select.optionalString(6), checks: select.int(7),
                failures: select.int(8), notFoundStreak: select.int(9),
                addedAt: Timestamp(milliseconds: select.int64(10)),
                nextCheckAt: Timestamp(milliseconds: select.int64(11)),
                checkedAt: select.optionalInt64(12).map(Timestamp.init(milliseconds:)))
        }
    }

    /// When the soonest non-terminal task is next due, or nil when none is: the engine sleeps
    /// until then. One step on the partial index `tasks_due`.
    public func nextDueAt() throws -> Timestamp? {
        try db.withStatement("SELECT min(next_check_at) FROM tasks WHERE terminal = 0") { select in
            guard try select.step() else { return nil }
            return select.optionalInt64(0).map(Timestamp.init(milliseconds:))
        }
    }

    /// Writes the results of status checks in one transaction and records an event for each
    /// change, published once committed. A row that was removed meanwhile is left removed.
    @discardableResult
    public func apply(_ updates: [TaskUpdate], now: Timestamp) throws -> [TaskEvent] {
        guard !updates.isEmpty else { return [] }
        var deliveries = 0
        let events = try db.transaction {
            let events = try db.withStatement(
                """
                UPDATE tasks SET status = :status, terminal = :terminal, run_id = :run_id, reason = :reason,
                    message = :message, checks = :checks, failures = :failures, not_found = :not_found,
                    checked_at = :checked_at, next_check_at = :next_check_at,
                    updated_at = CASE WHEN :changed THEN :now ELSE updated_at END,
                    result_state = CASE WHEN :result_dir IS NULL THEN result_state ELSE 'pending' END,
                    result_dir = coalesce(:result_dir, result_dir),
                    result_due_at = CASE WHEN :result_dir IS NULL THEN result_due_at ELSE :now END
                WHERE id = :id RETURNING \(TrackedTask.columns)
                """
            ) { update in
                var events: [TaskEvent] = []
                for change in updates {
                    update.reset()
                    try update.bind([
                        ":status": .text(change.status.rawValue), ":terminal": SQLiteValue(change.terminal),
                        ":run_id": SQLiteValue(change.runID), ":reason": SQLiteValue(change.reason),
                        ":message": SQLiteValue(change.message), ":checks": SQLiteValue(change.checks),
                        ":failures": SQLiteValue(change.failures), ":not_found": SQLiteValue(change.notFoundStreak),
                        ":checked_at": .integer(change.checkedAt.rawValue),
                        ":next_check_at": SQLiteValue(change.nextCheckAt?.rawValue),
                        ":changed": SQLiteValue(change.changed), ":now": .integer(now.rawValue),
                        ":result_dir": SQLiteValue(change.resultDirectory),
                        ":id": .integer(change.rowID),
                    ])
                    guard try update.step() else { continue }
                    let task = TrackedTask(row: update)
                    try update.run()
                    if change.changed { events.append(try recordEvent(task, at: now)) }
                    // Delivery: a task that turns terminal enqueues its deliveries here.
                    if change.terminal { deliveries += try enqueueDeliveries(for: task, now: now) }
                }
                return events
            }
            // Adaptive schedule: the finishes these checks saw, with them.
            try recordFinishes(updates.compactMap(\.finish))
            return events
        }
        hub.publish(events)
        signalDeliveries(deliveries)
        return events
    }

    // MARK: Results

    /// Up to `limit` pending results whose next attempt is due at `now`, the longest overdue
    /// first, skipping those in `excluding` (in flight). Reads the partial index `tasks_result_due`.
    public func dueResults(
        now: Timestamp, limit: Int, after cursor: DueTask.Cursor? = nil, excluding: Set<String>
    ) throws -> [DueResult] {
        try duePage(
            """
            SELECT id, task_id, kind, run_id, result_attempts, result_dir, result_due_at FROM tasks
            WHERE result_state = 'pending' AND result_due_at <= :now
                AND (result_due_at, id) > (:cursor_due_at, :cursor_id)
            ORDER BY result_due_at, id LIMIT :limit
            """, now: now, limit: limit, after: cursor, excluding: excluding
        ) { (select: Statement, taskID: String) -> DueResult in
            DueResult(
                rowID: select.int64(0), taskID: taskID, kind: select.string(2),
                runID: select.optionalInt64(3) ?? 0,
                attempts: select.int(4), directory: select.optionalString(5) ?? "",
                dueAt: Timestamp(milliseconds: select.int64(6)))
        }
    }

    /// When the soonest pending result is next due, or nil when none is.
    public func nextResultDueAt() throws -> Timestamp? {
        try db.withStatement("SELECT min(result_due_at) FROM tasks WHERE result_state = 'pending'") { select in
            guard try select.step() else { return nil }
            return select.optionalInt64(0).map(Timestamp.init(milliseconds:))
        }
    }

    /// Writes what result attempts came to, in one transaction; a result that settles (done,
    /// or failed for good) is recorded as an event and published once committed.
    @discardableResult
    public func applyResults(_ updates: [ResultUpdate], now: Timestamp) throws -> [TaskEvent] {
        guard !updates.isEmpty else { return [] }
        var deliveries = 0
        let events = try db.transaction {
            try db.withStatement(
                """
                UPDATE tasks SET result_state = :state, result_path = :path, result_bytes = :bytes,
                    result_error = :error, result_attempts = :attempts, result_due_at = :due_at,
                    updated_at = CASE WHEN :settled THEN :now ELSE updated_at END
                WHERE id = :id AND result_state = 'pending' RETURNING \(TrackedTask.columns)
                """
            ) { update in
                var events: [TaskEvent] = []
                for change in updates {
                    update.reset()
                    try update.bind([
                        ":state": .text(change.state.rawValue), ":path": SQLiteValue(change.path),
                        ":bytes": SQLiteValue(change.bytes), ":error": SQLiteValue(change.error),
                        ":attempts": SQLiteValue(change.attempts),
                        ":due_at": SQLiteValue(change.nextAttemptAt?.rawValue),
                        ":settled": SQLiteValue(change.state != .pending), ":now": .integer(now.rawValue),
                        ":id": .integer(change.rowID),
                    ])
                    guard try update.step() else { continue }
                    let task = TrackedTask(row: update)
                    try update.run()
                    if change.state != .pending { events.append(try recordEvent(task, at: now)) }
                    // Delivery: a settled result releases the deliveries held for it.
                    if change.state != .pending { deliveries += try releaseHeldDeliveries(for: task, now: now) }
                }
                return events
            }
        }
        hub.publish(events)
        signalDeliveries(deliveries)
        return events
    }

    /// Asks for the results of the SUCCESS tasks among `ids` to be fetched into `directory` now,
    /// unless they are pending or done already, or of a kind that has no result (which would
    /// only fail every attempt); returns the ids that will be fetched.
    public func requestResults(_ ids: [String], into directory: String, now: Timestamp) throws -> [String] {
        try db.transaction {
            try db.withStatement(
                """
                UPDATE tasks SET result_state = 'pending', result_dir = :dir, result_due_at = :now,
                    result_attempts = 0, result_error = NULL
                WHERE task_id = :task_id AND status = 'SUCCESS' AND run_id IS NOT NULL
                    AND (result_state IS NULL OR result_state = 'failed') AND kind IN (\(Self.kindsWithResults))
                RETURNING task_id
                """
            ) { update in
                var requested: [String] = []
                for id in ids {
                    update.reset()
                    try update.bind([":dir": .text(directory), ":now": .integer(now.rawValue), ":task_id": .text(id)])
                    if try update.step() { requested.append(update.string(0)) }
                    try update.run()
                }
                return requested
            }
        }
    }

    /// The kinds that have a result endpoint, as an SQL list of literals (fixed names of our own,
    /// none with a quote).
    private static let kindsWithResults = ResultEndpoint.byKind.keys.sorted().map { "'\($0)'" }.joined(
        separator: ", ")

    // MARK: Events

    private func recordEvent(_ task: TrackedTask, at now: Timestamp) throws -> TaskEvent {
        try db.withStatement(
            """
            INSERT INTO events (at, task_id, kind, status, terminal, run_id, reason, message, checks, added_at, checked_at,
                result_state, result_path, result_bytes, result_error, tag)
            VALUES (:at, :task_id, :kind, :status, :terminal, :run_id, :reason, :message, :checks, :added_at, :checked_at,
                :result_state, :result_path, :result_bytes, :result_error, :tag)
            """
        ) { insert in
            try insert.bind([
                ":at": .integer(now.rawValue), ":task_id": .text(task.taskID), ":kind": .text(task.kind),
                ":status": .text(task.status.rawValue), ":terminal": SQLiteValue(task.terminal),
                ":run_id": SQLiteValue(task.runID), ":reason": SQLiteValue(task.reason),
                ":message": SQLiteValue(task.message), ":checks": SQLiteValue(task.checks),
                ":added_at": SQLiteValue(task.addedAt?.rawValue), ":checked_at": SQLiteValue(task.checkedAt?.rawValue),
                ":result_state": SQLiteValue(task.resultState?.rawValue), ":result_path": SQLiteValue(task.resultPath),
                ":result_bytes": SQLiteValue(task.resultBytes), ":result_error": SQLiteValue(task.resultError),
                ":tag": SQLiteValue(task.tag),
            ])
            try insert.run()
        }
        return TaskEvent(seq: db.lastInsertRowID, task: task)
    }

    /// Deletes events recorded before `cutoff`; returns how many.
    @discardableResult
    public func pruneEvents(before cutoff: Timestamp) throws -> Int {
        try db.withStatement("DELETE FROM events WHERE at < :cutoff") { delete in
            try delete.bind([":cutoff": .integer(cutoff.rawValue)])
            try delete.run()
            return db.changes
        }
    }
}
