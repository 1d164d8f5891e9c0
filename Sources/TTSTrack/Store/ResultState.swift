/// Where a task's result stands, as the `result_state` field says it.
public enum ResultState: String, Sendable, Hashable {
    /// Being fetched, or waiting for the next attempt.
    case pending
    /// Complete on disk at `result_path`.
    case done
    /// Given up after `results.max_attempts`, or refused for good; `result_error` says why.
    case failed
}
