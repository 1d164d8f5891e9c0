/// `poll.schedule`: how each task's next check is placed.
public enum PollSchedule: String, Sendable, CaseIterable {
    /// Per kind, where finishing is likely, from the durations learned (the backoff until
    /// enough finishes are seen).
    case adaptive
    /// The fixed growth: `min_interval`, times `backoff` per check, up to `max_interval`.
    case backoff
}

/// `poll.due_order`: which due checks go first when more are due than the rate allows.
public enum DueOrder: String, Sendable, CaseIterable {
    /// The tasks likeliest to have finished since their last check; a task overdue by more
    /// than `max_interval` before all of them.
    case likeliest
    /// The longest overdue first.
    case oldest
}
