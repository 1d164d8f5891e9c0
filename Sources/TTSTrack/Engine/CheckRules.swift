public import TTSTrackWire

/// What one check's outcome does to a task, in one place: a 200 stores the status verbatim,
/// `poll.not_found_after` 404s in a row make NOT_FOUND, a task still not terminal
/// `poll.give_up_after` seconds after it was added becomes EXPIRED, and answers about the daemon
/// (bad key, rate limit) leave the task exactly as it was.
public enum CheckRules {
    /// The task's new state after `outcome`, or `nil` when the outcome is about the daemon
    /// (bad key, rate limit) or was abandoned, and the task is left exactly as it was.
    public static func update(
        for task: DueTask, outcome: CheckOutcome, now: Timestamp, policy: PollPolicy,
        using random: inout some RandomNumberGenerator
    ) -> TaskUpdate? {
        var status = task.status
        var runID = task.runID
        var reason = task.reason
        var message = task.message
        var failures = task.failures
        var notFoundStreak = task.notFoundStreak
        switch outcome {
        case .unauthorized, .rateLimited, .cancelled:
            return nil
        case .report(let report):
            status = TaskStatus(report.status)
            runID = report.runID
            reason = report.reason
            message = report.message
            failures = 0
            notFoundStreak = 0
        case .notFound:
            failures = 0
            notFoundStreak += 1
            if notFoundStreak >= policy.notFoundAfter {
                status = .notFound
                runID = nil
                reason = nil
                message = nil
            }
        case .failed:
            failures += 1
        }
        let checks = task.checks + 1
        var terminal = status.isTerminal
        let deadline = task.addedAt.adding(seconds: policy.giveUpAfter)
        if !terminal && now >= deadline {
            status = .expired
            terminal = true
        }
        let nextCheckAt =
            terminal
            ? nil
            : Schedule.nextCheck(afterChecks: checks, at: now, addedAt: task.addedAt, policy: policy, using: &random)
        let changed = status != task.status || runID != task.runID || reason != task.reason || message != task.message
        return TaskUpdate(
            rowID: task.rowID, taskID: task.taskID, status: status, terminal: terminal, runID: runID, reason: reason,
            message: message, checks: checks, failures: failures, notFoundStreak: notFoundStreak, checkedAt: now,
            nextCheckAt: nextCheckAt, changed: changed)
    }
}
