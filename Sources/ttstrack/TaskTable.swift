import TTSTrackClient
import TTSTrackWire

/// Tasks as an aligned table, one row per task, for people; scripts use `--json`.
///
/// Column widths are those of the rows seen so far and only grow, so `list --all` can print
/// page by page without holding every task in memory; the header goes out with the first rows.
struct TaskTable {
    static let headers = ["TASK ID", "KIND", "TAG", "STATUS", "RUN ID", "CHECKS", "UPDATED", "NEXT CHECK", "DETAIL"]
    /// Right-aligned columns: RUN ID and CHECKS.
    static let rightAligned: Set<Int> = [4, 5]
    /// Longer details (an API message can be a whole JSON object) are cut, with "…".
    static let maxDetail = 100

    private var widths = TaskTable.headers.map(\.count)
    private var headerWritten = false

    /// Appends rows for `tasks` (and the header before the first ones).
    mutating func write(_ tasks: [TrackerTask], now: Timestamp, to output: TextOutput) {
        guard !tasks.isEmpty else { return }
        let rows = tasks.map { Self.cells(for: $0, now: now) }
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        if !headerWritten {
            output.line(format(Self.headers))
            headerWritten = true
        }
        for row in rows { output.line(format(row)) }
    }

    /// The cells of one row; "-" where there is nothing to show.
    static func cells(for task: TrackerTask, now: Timestamp) -> [String] {
        let untracked = task.status == "UNTRACKED"
        var nextCheck = "-"
        if !task.terminal && !untracked, let next = task.nextCheckAt {
            nextCheck = next.seconds(since: now) <= -1 ? "due" : RelativeTime.describe(next, now: now)
        }
        var detail = CLIError.oneLine(task.detail)
        if detail.count > maxDetail { detail = String(detail.prefix(maxDetail - 1)) + "…" }
        return [
            CLIError.oneLine(task.taskID),
            task.kind.isEmpty || untracked ? "-" : CLIError.oneLine(task.kind),
            task.tag.map(CLIError.oneLine) ?? "-",
            task.status.isEmpty ? "-" : CLIError.oneLine(task.status),
            task.runID.map(String.init) ?? "-",
            untracked ? "-" : String(task.checks),
            task.updatedAt.map { RelativeTime.describe($0, now: now) } ?? "-",
            nextCheck,
            detail,
        ]
    }

    private func format(_ cells: [String]) -> String {
        var line = ""
        for (column, cell) in cells.enumerated() {
            if column > 0 { line += "  " }
            if column == cells.count - 1 {
                line += cell
                break
            }
            let padding = String(repeating: " ", count: max(0, widths[column] - cell.count))
            line += Self.rightAligned.contains(column) ? padding + cell : cell + padding
        }
        while line.last == " " { line.removeLast() }
        return line
    }
}
