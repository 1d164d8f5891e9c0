/// Per-task bookkeeping inside the simulator state.
struct SimTaskCounter: Sendable {
    /// Every request for the task, including ones rejected with 401.
    var requests = 0
    /// Requests that passed the api-key check; selects the script step / default phase.
    var answered = 0
    /// Arrival of the first answered request, for `successAfterSeconds`.
    var firstAnsweredAt: ContinuousClock.Instant?

    /// Counts one answered request (single hash lookup when called through the
    /// dictionary's `default:` subscript) and returns its 0-based index and the first
    /// answered arrival time.
    mutating func countAnswered(now: ContinuousClock.Instant) -> (index: Int, firstAt: ContinuousClock.Instant) {
        let index = answered
        requests += 1
        answered += 1
        let first = firstAnsweredAt ?? now
        firstAnsweredAt = first
        return (index, first)
    }
}
