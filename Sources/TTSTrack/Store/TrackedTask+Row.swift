import TTSTrackWire

extension TrackedTask {
    /// The columns ``init(row:)`` reads, in its order, for a select from `tasks` or a
    /// `RETURNING` clause on it.
    static let columns = """
        task_id, kind, status, terminal, run_id, reason, message, checks, added_at, updated_at, checked_at, \
        next_check_at, result_state, result_path, result_bytes, result_error, tag
        """

    /// The same columns from `events`: the event's time is the task's `updated_at`, and an event
    /// keeps no next check.
    static let eventColumns = """
        task_id, kind, status, terminal, run_id, reason, message, checks, added_at, at, checked_at, NULL, \
        result_state, result_path, result_bytes, result_error, tag
        """

    /// The one mapping from a row to a task: the row holds ``columns`` (or ``eventColumns``)
    /// from column `offset` on.
    init(row: Statement, offset: Int32 = 0) {
        func time(_ column: Int32) -> Timestamp? {
            row.optionalInt64(offset + column).map(Timestamp.init(milliseconds:))
        }
        self.init(
            taskID: row.string(offset), kind: row.string(offset + 1), status: TaskStatus(row.string(offset + 2)),
            terminal: row.int64(offset + 3) != 0, runID: row.optionalInt64(offset + 4),
            reason: row.optionalString(offset + 5), message: row.optionalString(offset + 6),
            checks: row.int(offset + 7), addedAt: time(8), updatedAt: time(9), checkedAt: time(10),
            nextCheckAt: time(11), resultState: row.optionalString(offset + 12).flatMap(ResultState.init(rawValue:)),
            resultPath: row.optionalString(offset + 13), resultBytes: row.optionalInt64(offset + 14),
            resultError: row.optionalString(offset + 15), tag: row.optionalString(offset + 16))
    }
}
