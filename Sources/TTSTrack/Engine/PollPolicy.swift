/// The `poll.*` settings: how often each task is checked and how hard the API is pushed.
public struct PollPolicy: Sendable, Equatable {
    /// Seconds from Add to the first check.
    public var firstDelay: Double = 1.0
    /// Seconds between checks of one task, at first.
    public var minInterval: Double = 1.0
    /// The gap grows by `backoff` per check up to this.
    public var maxInterval: Double = 30.0
    public var backoff: Double = 1.5
    /// Status requests per second, all tasks together; 0 or less means no limit.
    public var rate: Double = 20
    public var burst: Double = 20
    /// Requests in flight at once.
    public var concurrency: Int = 16
    /// Seconds after Add when a task that is still not terminal becomes `EXPIRED`.
    public var giveUpAfter: Double = 86400
    /// Consecutive 404s before a task becomes `NOT_FOUND`.
    public var notFoundAfter: Int = 3
    /// Each gap is stretched by a random factor in `1 ... 1 + jitter`, so that tasks added
    /// together spread out instead of hitting the API in lockstep; at `max_interval` the stretch
    /// folds back below it, so no gap exceeds it.
    public var jitter: Double = 0.1
    /// How each task's next check is placed: learned per kind, or the fixed backoff.
    public var schedule = PollSchedule.adaptive
    /// The adaptive schedule's price of one check, in seconds of detection delay: each check
    /// goes where the lateness it saves is worth it. An extension key (`poll.check_worth`).
    public var checkWorth: Double = 2
    /// Which due checks go first when more are due than `poll.rate` allows. An extension key
    /// (`poll.due_order`), kept so the old order can be compared.
    public var dueOrder = DueOrder.likeliest

    public init() {}

    /// Why the policy cannot work, or `nil`.
    public var problem: String? {
        if !(firstDelay >= 0) { return "poll.first_delay must be 0 or more" }
        if !(minInterval > 0) { return "poll.min_interval must be more than 0" }
        if !(maxInterval >= minInterval) { return "poll.max_interval must be at least poll.min_interval" }
        if !(backoff >= 1) { return "poll.backoff must be 1 or more" }
        if !(burst >= 1) && rate > 0 { return "poll.burst must be 1 or more" }
        if concurrency < 1 || concurrency > 4096 { return "poll.concurrency must be from 1 to 4096" }
        if !(giveUpAfter > 0) { return "poll.give_up_after must be more than 0" }
        if notFoundAfter < 1 { return "poll.not_found_after must be 1 or more" }
        if !(jitter >= 0 && jitter <= 1) { return "poll.jitter must be from 0 to 1" }
        if !(checkWorth > 0 && checkWorth.isFinite) { return "poll.check_worth must be more than 0" }
        return nil
    }
}
