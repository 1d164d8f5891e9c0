/// The adaptive schedule's state as the rest of the daemon reads it: the plan of each kind that
/// has a learned law, and what was learned of every kind. The scheduler rebuilds it when a law
/// or the policy changes.
public struct SchedulePlans: Sendable {
    public var plans: [String: CheckPlan] = [:]
    public var learned: [String: LearnedDurations] = [:]

    public init(plans: [String: CheckPlan] = [:], learned: [String: LearnedDurations] = [:]) {
        self.plans = plans
        self.learned = learned
    }

    /// The plans for what `learner` knows under `policy` (none under `poll.schedule: backoff`).
    public init(learner: DurationLearner, policy: PollPolicy) {
        learned = learner.summary
        guard policy.schedule == .adaptive else { return }
        plans = learner.laws.mapValues { Self.plan(for: $0, policy: policy) }
    }

    /// Brings the plans and summaries of `kinds` (whose laws changed) up to date, leaving the
    /// other kinds' plans as they are: a plan costs a dynamic program to build.
    public mutating func replan(_ kinds: Set<String>, learner: DurationLearner, policy: PollPolicy) {
        for kind in kinds { learned[kind] = learner.summary(of: kind) }
        guard policy.schedule == .adaptive else { return }
        for kind in kinds { plans[kind] = learner.law(for: kind).map { Self.plan(for: $0, policy: policy) } }
    }

    /// The plan for one law under `policy`.
    public static func plan(for law: DurationLaw, policy: PollPolicy) -> CheckPlan {
        CheckPlan(
            law: law, worth: policy.checkWorth, firstAtLeast: policy.firstDelay, minGap: policy.minInterval,
            maxGap: policy.maxInterval)
    }

    /// The plan for `kind`, if its law is learned and the schedule is adaptive.
    public func plan(for kind: String) -> CheckPlan? { plans[kind] }
}
