public import TTSTrackWire

/// The rules of contract §1–§2 in one place: what one check's outcome does to a task.
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
        var nextCheckAt: Timestamp?
        if !terminal {
            let gap = Backoff.jittered(
                Backoff.interval(afterChecks: checks, policy: policy), policy: policy, using: &random)
            // The last check falls on the deadline, so EXPIRED is decided on time.
            nextCheckAt = min(now.adding(seconds: gap), max(deadline, now))
        }
        let changed = status != task.status || runID != task.runID || reason != task.reason || message != task.message
        return TaskUpdate(
            rowID: task.rowID, taskID: task.taskID, status: status, terminal: terminal, runID: runID, reason: reason,
            message: message, checks: checks, failures: failures, notFoundStreak: notFoundStreak, checkedAt: now,
            nextCheckAt: nextCheckAt, changed: changed)
    }
}
