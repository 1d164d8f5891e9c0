public import TTSTrackWire

/// The delivery outbox: a task that ends gets one row per configured target in the very
/// transaction that ends it, so a crash at any moment loses no delivery. With its result being
/// fetched, the rows are *held* until the result settles (done or failed), and become due in the
/// transaction that settles it. A row goes once delivered; a given-up one stays as `failed`.
extension TaskStore {
    /// What the outbox needs from the daemon: which targets are configured, and whom to tell
    /// that deliveries were committed.
    struct Outbox: Sendable {
        var targets: [DeliveryTarget] = []
        var onEnqueue: (@Sendable () -> Void)?
    }

    /// Sets the targets that a task which ends from now on is delivered to (none: no rows are
    /// written) and the callback told after each commit that made deliveries due.
    public func configureDeliveries(targets: Set<DeliveryTarget>, onEnqueue: (@Sendable () -> Void)?) {
        outbox = Outbox(targets: DeliveryTarget.allCases.filter(targets.contains), onEnqueue: onEnqueue)
    }

    /// Within a transaction: writes the deliveries of `task`, which just became terminal. Held
    /// while its result is pending. Returns how many became due now.
    func enqueueDeliveries(for task: TrackedTask, now: Timestamp) throws -> Int {
        guard !outbox.targets.isEmpty else { return 0 }
        let held = task.resultState == .pending
        try db.withStatement(
            """
            INSERT INTO deliveries (target, task_id, state, message_id, body, ended_at, due_at)
            VALUES (:target, :task_id, :state, :message_id, :body, :now, :due_at)
            """
        ) { insert in
            for target in outbox.targets {
                insert.reset()
                try insert.bind([
                    ":target": .text(target.rawValue), ":task_id": .text(task.taskID),
                    ":state": .text(held ? "held" : "pending"), ":message_id": .text(Self.newMessageID()),
                    ":body": .text(held ? "" : Self.deliveryBody(target, task: task, at: now)),
                    ":now": .integer(now.rawValue), ":due_at": held ? .null : .integer(now.rawValue),
                ])
                try insert.run()
            }
        }
        return held ? 0 : outbox.targets.count
    }

    /// Within a transaction: the held deliveries of `task` (its result just settled, or the task
    /// was removed before it did) become due now, carrying the task as it is. Returns how many.
    func releaseHeldDeliveries(for task: TrackedTask, now: Timestamp) throws -> Int {
        let held: [(Int64, DeliveryTarget)] = try db.withStatement(
            "SELECT id, target FROM deliveries WHERE task_id = :task_id AND state = 'held'"
        ) { select in
            try select.bind([":task_id": .text(task.taskID)])
            var rows: [(Int64, DeliveryTarget)] = []
            while try select.step() {
                if let target = DeliveryTarget(rawValue: select.string(1)) { rows.append((select.int64(0), target)) }
            }
            return rows
        }
        guard !held.isEmpty else { return 0 }
        try db.withStatement(
            "UPDATE deliveries SET state = 'pending', body = :body, ended_at = :now, due_at = :now WHERE id = :id"
        ) { update in
            for (rowID, target) in held {
                update.reset()
                try update.bind([
                    ":body": .text(Self.deliveryBody(target, task: task, at: now)), ":now": .integer(now.rawValue),
                    ":id": .integer(rowID),
                ])
                try update.run()
            }
        }
        return held.count
    }

    /// After a commit that made deliveries due: tells the delivery engine.
    func signalDeliveries(_ count: Int) {
        if count > 0 { outbox.onEnqueue?() }
    }

    /// Up to `limit` deliveries to `target` whose next attempt is due at `now`, the longest
    /// overdue first, after `cursor`, skipping those in `excluding` (in flight).
    public func dueDeliveries(
        target: DeliveryTarget, now: Timestamp, limit: Int, after cursor: DueTask.Cursor? = nil,
        excluding: Set<String>
    ) throws -> [DueDelivery] {
        try duePage(
            """
            SELECT id, task_id, message_id, body, attempts, ended_at, due_at FROM deliveries
            WHERE target = :target AND state = 'pending' AND due_at <= :now
                AND (due_at, id) > (:cursor_due_at, :cursor_id)
            ORDER BY due_at, id LIMIT :limit
            """, now: now, parameters: [":target": SQLiteValue.text(target.rawValue)], limit: limit, after: cursor,
            excluding: excluding
        ) { (select: Statement, taskID: String) -> DueDelivery in
            DueDelivery(
                rowID: select.int64(0), target: target, taskID: taskID, messageID: select.string(2),
                body: select.string(3), attempts: select.int(4),
                endedAt: Timestamp(milliseconds: select.int64(5)),
                dueAt: Timestamp(milliseconds: select.int64(6)))
        }
    }

    /// When the soonest delivery to one of `targets` is next due, or nil when none is.
    public func nextDeliveryDueAt(targets: Set<DeliveryTarget>) throws -> Timestamp? {
        var soonest: Timestamp?
        for target in targets {
            let due = try db.withStatement(
                "SELECT min(due_at) FROM deliveries WHERE target = :target AND state = 'pending'"
            ) { select in
                try select.bind([":target": .text(target.rawValue)])
                return try select.step() ? select.optionalInt64(0).map(Timestamp.init(milliseconds:)) : nil
            }
            if let due, soonest.map({ due < $0 }) ?? true { soonest = due }
        }
        return soonest
    }

    /// Writes what delivery attempts came to, in one transaction: a delivered row goes, a failed
    /// attempt moves the row's next attempt, a given-up row stays as failed.
    public func applyDeliveries(_ updates: [DeliveryUpdate]) throws {
        guard !updates.isEmpty else { return }
        try db.transaction {
            for update in updates {
                switch update.change {
                case .delivered:
                    try db.withStatement("DELETE FROM deliveries WHERE id = :id") { delete in
                        try delete.bind([":id": .integer(update.rowID)])
                        try delete.run()
                    }
                case .retry(let at, let error):
                    try db.withStatement(
                        "UPDATE deliveries SET attempts = :attempts, due_at = :due_at, error = :error WHERE id = :id"
                    ) { retry in
                        try retry.bind([
                            ":attempts": SQLiteValue(update.attempts), ":due_at": .integer(at.rawValue),
                            ":error": .text(error), ":id": .integer(update.rowID),
                        ])
                        try retry.run()
                    }
                case .failed(let error):
                    try db.withStatement(
                        """
                        UPDATE deliveries SET state = 'failed', attempts = :attempts, due_at = NULL, error = :error
                        WHERE id = :id
                        """
                    ) { fail in
                        try fail.bind([
                            ":attempts": SQLiteValue(update.attempts), ":error": .text(error),
                            ":id": .integer(update.rowID),
                        ])
                        try fail.run()
                    }
                }
            }
        }
    }

    /// Deletes given-up deliveries of tasks that ended before `cutoff`; returns how many.
    @discardableResult
    public func pruneFailedDeliveries(before cutoff: Timestamp) throws -> Int {
        try db.withStatement("DELETE FROM deliveries WHERE state = 'failed' AND ended_at < :cutoff") { delete in
            try delete.bind([":cutoff": .integer(cutoff.rawValue)])
            try delete.run()
            return db.changes
        }
    }

    /// What a delivery sends: the task's JSON (the `Task` of the Varlink interface) for a hook;
    /// for a webhook the whole payload, `{"type": "task.terminal", "timestamp", "data": Task}`,
    /// fixed now so that every attempt sends (and signs) the same bytes.
    static func deliveryBody(_ target: DeliveryTarget, task: TrackedTask, at now: Timestamp) -> String {
        switch target {
        case .hooks:
            return task.json.jsonText
        case .webhooks:
            let payload: JSONValue = .object([
                "type": "task.terminal", "timestamp": .string(now.rfc3339), "data": task.json,
            ])
            return payload.jsonText
        }
    }

    /// A fresh delivery id in the form Standard Webhooks uses: `msg_` and 32 random hex digits.
    static func newMessageID() -> String {
        var random = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        var id = "msg_"
        for _ in 0..<2 {
            var value = random.next() as UInt64
            for _ in 0..<16 {
                id.append(digits[Int(value & 0xf)])
                value >>= 4
            }
        }
        return id
    }
}
