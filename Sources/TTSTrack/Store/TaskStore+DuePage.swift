import TTSTrackWire

extension TaskStore {
    /// One page of due work for a ``DueFeeder`` (status checks, result downloads, deliveries).
    ///
    /// `sql` selects `id, task_id, …` due at `:now`, in due order after the cursor
    /// `(:cursor_due_at, :cursor_id)` (what an earlier page handed out lies before it, so nothing
    /// claimed is read again), `LIMIT :limit`; `parameters` binds any other names it has. The
    /// page keeps up to `limit` rows, skipping those whose task id is in `excluding` (in flight),
    /// so it reads up to `limit` plus their number.
    func duePage<Item>(
        _ sql: String, now: Timestamp, parameters: KeyValuePairs<String, SQLiteValue> = [:], limit: Int,
        after cursor: DueTask.Cursor?, excluding: Set<String>, item: (Statement, String) -> Item
    ) throws -> [Item] {
        try db.withStatement(sql) { select in
            try select.bind([
                ":now": .integer(now.rawValue), ":limit": SQLiteValue(limit + excluding.count),
                ":cursor_due_at": .integer(cursor?.nextCheckAt.rawValue ?? .min),
                ":cursor_id": .integer(cursor?.rowID ?? .min),
            ])
            try select.bind(parameters)
            var due: [Item] = []
            while due.count < limit, try select.step() {
                let taskID = select.string(1)
                if excluding.contains(taskID) { continue }
                due.append(item(select, taskID))
            }
            return due
        }
    }
}
