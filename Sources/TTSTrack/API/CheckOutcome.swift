/// What one status check found out, decided from the HTTP exchange alone. The scheduler turns
/// it into the task's new state (``CheckRules``) or into a pause of the whole daemon.
public enum CheckOutcome: Sendable, Hashable {
    /// A usable 200 answer.
    case report(StatusReport)
    /// 404: the API does not know the task (yet, or any more).
    case notFound
    /// 401/403: the key is wrong; a problem of the daemon, not of the task.
    case unauthorized(String)
    /// 429: the API asks everyone to slow down, for `retryAfter` seconds if it said so.
    case rateLimited(retryAfter: Double?)
    /// Anything else: 5xx, 408, 409, other 4xx, timeouts, connection errors, malformed answers.
    /// `transport` is true when no HTTP answer was had at all.
    case failed(String, transport: Bool)
    /// The check was abandoned (shutdown): nothing is learned and the task stays due.
    case cancelled
}
