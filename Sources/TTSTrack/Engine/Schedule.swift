public import TTSTrackWire

/// When a task is next due: the one place that decides it, from the policy, what is known of
/// the task, and its kind's plan when the adaptive schedule has learned one. ``CheckRules`` asks
/// it after each check; adding a task asks it for the first check.
public enum Schedule {
    /// The first check of a task added at `now`: with a plan, where it puts the first check
    /// (never before `poll.first_delay`); else `poll.first_delay` later. With jitter, so that
    /// tasks added together spread out; never after the `give_up_after` deadline.
    public static func firstCheck(
        addedAt now: Timestamp, policy: PollPolicy, plan: CheckPlan? = nil,
        using random: inout some RandomNumberGenerator
    ) -> Timestamp {
        let gap: Double
        if let plan {
            let planned = Backoff.centred(plan.firstCheck, policy: policy, using: &random)
            gap = min(max(planned, policy.firstDelay), max(policy.firstDelay, policy.maxInterval))
        } else {
            gap = Backoff.jittered(policy.firstDelay, policy: policy, using: &random)
        }
        return now.adding(seconds: min(gap, policy.giveUpAfter))
    }

    /// The next check of a task not yet terminal after its `checks`-th check at `now`: with a
    /// plan, where the plan puts it from the task's age; else (or past the plan's horizon) on the
    /// backoff. Always within `poll.min_interval`…`poll.max_interval`, and never after the task's
    /// `give_up_after` deadline, so EXPIRED is decided on time.
    public static func nextCheck(
        afterChecks checks: Int, at now: Timestamp, addedAt: Timestamp, policy: PollPolicy, plan: CheckPlan? = nil,
        using random: inout some RandomNumberGenerator
    ) -> Timestamp {
        let gap: Double
        if let plan, let planned = plan.gap(afterCheckAt: now.seconds(since: addedAt)) {
            gap = min(
                max(Backoff.centred(planned, policy: policy, using: &random), policy.minInterval), policy.maxInterval)
        } else {
            // Stretched by the jitter, but a stretch past `max_interval` is folded back below it,
            // so gaps at the cap stay within it and still spread.
            let base = Backoff.interval(afterChecks: checks, policy: policy)
            let stretched = Backoff.jittered(base, policy: policy, using: &random)
            let folded = stretched <= policy.maxInterval ? stretched : policy.maxInterval * base / stretched
            gap = max(folded, policy.minInterval)
        }
        let deadline = addedAt.adding(seconds: policy.giveUpAfter)
        return min(now.adding(seconds: gap), max(deadline, now))
    }

    /// How urgent a due check is when more are due than the rate allows, higher first: the
    /// chance the task finished since its last check (from its kind's law; without one, the
    /// share of `max_interval` waited since), and above every such chance (2 and more), a task
    /// overdue by more than `max_interval`, the longest overdue first, so none starves.
    public static func urgency(of task: DueTask, now: Timestamp, policy: PollPolicy, law: DurationLaw?) -> Double {
        let overdue = now.seconds(since: task.nextCheckAt)
        if overdue > policy.maxInterval { return 2 + overdue }
        let lastCheck = task.checkedAt ?? task.addedAt
        guard let law else { return min(1, now.seconds(since: lastCheck) / max(policy.maxInterval, 1e-3)) }
        return law.finished(
            by: now.seconds(since: task.addedAt), givenPendingAt: lastCheck.seconds(since: task.addedAt))
    }
}
