/// Where a task that ended is delivered: a local program, or an HTTP endpoint.
public enum DeliveryTarget: String, Sendable, Hashable, CaseIterable {
    /// `hooks.exec`: a program run with the task on standard input.
    case hooks
    /// `webhooks.url`: a signed HTTP POST.
    case webhooks
}
