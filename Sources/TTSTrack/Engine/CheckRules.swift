public import TTSTrackWire

/// What one check's outcome does to a task, in one place: a 200 stores the status verbatim,
/// `poll.not_found_after` 404s in a row make NOT_FOUND, a task still not terminal
/// `poll.give_up_after` seconds after it was added becomes EXPIRED, and answers about the daemon
/// (bad key, rate limit) leave the task exactly as it was.
public enum CheckRules {
    /// The task's new state after `outcome`, or `nil` when the outcome is about the daemon
    /// (bad key, rate limit) or was abandoned, and the task is left exactly as it was.
    /// - Parameter plan: the task's kind's adaptive plan, when one is learned.
    public static func update(
        for task: DueTask, outcome: CheckOutcome, now: Timestamp, policy: PollPolicy, plan: CheckPlan? = nil,
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
            : Schedule.nextCheck(
                afterChecks: checks, at: now, addedAt: task.addedAt, policy: policy, plan: plan, using: &random)
        let changed = status != task.status || runID != task.runID || reason != task.reason || message != task.message
        var update = TaskUpdate(
            rowID: task.rowID, taskID: task.taskID, status: status, terminal: terminal, runID: runID, reason: reason,
            message: message, checks: checks, failures: failures, notFoundStreak: notFoundStreak, checkedAt: now,
            nextCheckAt: nextCheckAt, changed: changed)
        if case .report = outcome, terminal, status.isTerminal, status != .expired {
            update.finish = finish(of: task, seenAt: now)
        }
        return update
    }

    /// The interval a finish the API just reported lies in: after the last check that saw the
    /// task not yet terminal, by this one. When the last check saw nothing (a failure, a 404),
    /// the earlier ones are not remembered, so the interval starts at Add: wider, never wrong.
    static func finish(of task: DueTask, seenAt now: Timestamp) -> DurationObservation {
        var lower = 0.0
        if task.checks > 0, task.failures == 0, task.notFoundStreak == 0, let checked = task.checkedAt {
            lower = checked.seconds(since: task.addedAt)
        }
        return DurationObservation(
            kind: task.kind, lower: lower, upper: now.seconds(since: task.addedAt), at: now)
    }
}
