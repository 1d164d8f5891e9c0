/// What one status check found out, decided from the HTTP exchange alone. ``CheckRules`` turns
/// it into the task's new state; ``APIHealth`` into the daemon's view of the API.
public enum CheckOutcome: Sendable, Hashable {
    /// A usable 200 answer.
    case report(StatusReport)
    /// 404: the API does not know the task (yet, or any more).
    case notFound
    /// 401/403, or no key at all: a problem of the daemon, not of the task.
    case unauthorized(Unauthorized)
    /// 429: the API asks everyone to slow down, for `retryAfter` seconds if it said so.
    case rateLimited(retryAfter: Double?)
    /// The check learned nothing about the task; it is retried on its backoff.
    case failed(CheckFailure)
    /// The check was abandoned (shutdown): nothing is learned and the task stays due.
    case cancelled

    /// Why the API will not take the key.
    public enum Unauthorized: Sendable, Hashable, CustomStringConvertible {
        /// The API answered 401 or 403.
        case refused(status: Int)
        /// No key is configured, so no request was sent.
        case noKey

        public var description: String {
            switch self {
            case .refused(let status): "API refused the key (HTTP \(status))"
            case .noKey: "no API key configured"
            }
        }
    }
}
