/// A task's status: the API's open string kept verbatim, plus the ones the daemon sets itself.
public struct TaskStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let pending = TaskStatus("PENDING")
    public static let success = TaskStatus("SUCCESS")
    public static let error = TaskStatus("ERROR")
    public static let timeout = TaskStatus("TIMEOUT")
    public static let paymentRequired = TaskStatus("PAYMENT_REQUIRED")
    /// Set by the daemon after `poll.not_found_after` consecutive 404s.
    public static let notFound = TaskStatus("NOT_FOUND")
    /// Set by the daemon when a task is not terminal after `poll.give_up_after`.
    public static let expired = TaskStatus("EXPIRED")
    /// Only in replies: the daemon does not know the id.
    public static let untracked = TaskStatus("UNTRACKED")

    /// The statuses after which polling stops; anything else, including unknown strings, is polled on.
    public static let terminalStatuses: Set<TaskStatus> = [
        .success, .error, .timeout, .paymentRequired, .notFound, .expired,
    ]

    /// True when the status can no longer change.
    public var isTerminal: Bool { Self.terminalStatuses.contains(self) }

    public var description: String { rawValue }
}
