public import TTSTrackWire

/// When a task is next due: the one place that decides it, from the policy and what is known of
/// the task. ``CheckRules`` asks it after each check; adding a task asks it for the first check.
public enum Schedule {
    /// The first check of a task added at `now`: `poll.first_delay` later, with jitter so that
    /// tasks added together spread out.
    public static func firstCheck(
        addedAt now: Timestamp, policy: PollPolicy, using random: inout some RandomNumberGenerator
    ) -> Timestamp {
        now.adding(seconds: Backoff.jittered(policy.firstDelay, policy: policy, using: &random))
    }

    /// The next check of a task not yet terminal after its `checks`-th check at `now`: on the
    /// backoff, but never after the task's `give_up_after` deadline, so EXPIRED is decided on time.
    public static func nextCheck(
        afterChecks checks: Int, at now: Timestamp, addedAt: Timestamp, policy: PollPolicy,
        using random: inout some RandomNumberGenerator
    ) -> Timestamp {
        let gap = Backoff.jittered(
            Backoff.interval(afterChecks: checks, policy: policy), policy: policy, using: &random)
        let deadline = addedAt.adding(seconds: policy.giveUpAfter)
        return min(now.adding(seconds: gap), max(deadline, now))
    }
}
