extension CambSimulator {
    /// How the simulator answers status requests for task ids that have no script and no
    /// magic prefix. Lets a benchmark or demo run without scripting every id up front.
    public enum DefaultBehavior: Sendable, Equatable {
        /// `PENDING` for the first `n` answered requests of a task, then `SUCCESS` with a
        /// deterministic `run_id` derived from the task id (FNV-1a, stable across runs).
        case successAfterChecks(Int)
        /// `PENDING` until the given number of seconds has passed since the first request
        /// for the task, then `SUCCESS` (same `run_id` rule as `successAfterChecks`).
        case successAfterSeconds(Double)
        /// Always `PENDING`, served from a preallocated response: the fast path used for
        /// throughput benchmarks.
        case alwaysPending
        /// Always `404 {"detail":"Task not found"}`.
        case notFound
    }
}
