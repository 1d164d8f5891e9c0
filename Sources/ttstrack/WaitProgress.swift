import TTSTrackClient

/// What the live line of `wait` and `fetch` says: how many of the tasks waited for are done
/// (terminal with their result settled, or untracked: what `Wait` waits for), counts by status,
/// how many results are still being fetched, and the task that finished last.
///
/// Only the tasks of the first read count, so "of N" stays what the wait is for; events of
/// other tasks (one added with the tag meanwhile) are ignored.
struct WaitProgress {
    private var tasks: [String: TrackerTask] = [:]
    private var lastFinished: String?

    init(_ tasks: [TrackerTask]) {
        for task in tasks { self.tasks[task.taskID] = task }
    }

    /// Takes in a task's new state; false when the task is not one waited for.
    mutating func apply(_ task: TrackerTask) -> Bool {
        guard let old = tasks[task.taskID] else { return false }
        tasks[task.taskID] = task
        if Self.isDone(task) && !Self.isDone(old) { lastFinished = task.taskID }
        return true
    }

    /// Whether `Wait` is through with the task.
    static func isDone(_ task: TrackerTask) -> Bool {
        (task.terminal && task.resultState != "pending") || task.isUntracked
    }

    /// `done 3 of 50  ERROR 1  PENDING 47  SUCCESS 2  results pending 1  last seg-07`: statuses
    /// in name order, so the parts keep their places while the counts change.
    var text: String {
        var counts: [String: Int] = [:]
        var done = 0
        var resultsPending = 0
        for task in tasks.values {
            counts[task.status.isEmpty ? "?" : task.status, default: 0] += 1
            if Self.isDone(task) { done += 1 }
            if task.resultState == "pending" { resultsPending += 1 }
        }
        var parts = ["done \(done) of \(tasks.count)"]
        parts += counts.keys.sorted().map { "\(CLIError.oneLine($0)) \(counts[$0]!)" }
        if resultsPending > 0 { parts.append("results pending \(resultsPending)") }
        if let lastFinished { parts.append("last \(lastFinished)") }
        return parts.joined(separator: "  ")
    }
}
