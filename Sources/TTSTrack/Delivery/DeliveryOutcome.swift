/// What one delivery attempt came to, decided by the hook runner or the webhook sender.
public enum DeliveryOutcome: Sendable, Hashable {
    /// Exit 0, or a 2xx answer. `output`: what the hook wrote, shortened, for the log.
    case delivered(output: String?)
    /// Worth another attempt: a non-zero exit, a timeout, a non-2xx answer, no connection.
    case failed(reason: String, output: String?)
    /// Never worth another attempt (`410 Gone`): given up at once.
    case refused(reason: String)
    /// The daemon is stopping: the attempt does not count, and the delivery stays due.
    case cancelled
}
