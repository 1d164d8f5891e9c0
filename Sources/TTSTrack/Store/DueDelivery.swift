public import TTSTrackWire

/// A delivery whose next attempt is due: everything an attempt needs, as stored when the task
/// ended, so every attempt sends the same thing.
public struct DueDelivery: Sendable, Hashable {
    /// The outbox row: what the attempt came to is written against it.
    public var rowID: Int64
    public var target: DeliveryTarget
    public var taskID: String
    /// The same on every attempt (a webhook's `webhook-id`), so a receiver can drop repeats.
    public var messageID: String
    /// What is sent: the task's JSON for a hook, the whole signed payload for a webhook.
    public var body: String
    /// Failed attempts so far.
    public var attempts: Int
    /// When the task ended (or its result settled): the delivery's age.
    public var endedAt: Timestamp
    public var dueAt: Timestamp

    public init(
        rowID: Int64, target: DeliveryTarget, taskID: String, messageID: String, body: String, attempts: Int,
        endedAt: Timestamp, dueAt: Timestamp
    ) {
        self.rowID = rowID
        self.target = target
        self.taskID = taskID
        self.messageID = messageID
        self.body = body
        self.attempts = attempts
        self.endedAt = endedAt
        self.dueAt = dueAt
    }
}

/// What one delivery attempt came to, as the store writes it.
public struct DeliveryUpdate: Sendable, Hashable {
    public enum Change: Sendable, Hashable {
        /// Delivered: the row goes.
        case delivered
        /// Failed; the next attempt is due then.
        case retry(at: Timestamp, error: String)
        /// Given up: the row stays as failed, counted by Stats.
        case failed(error: String)
    }

    public var rowID: Int64
    public var taskID: String
    public var attempts: Int
    public var change: Change

    public init(rowID: Int64, taskID: String, attempts: Int, change: Change) {
        self.rowID = rowID
        self.taskID = taskID
        self.attempts = attempts
        self.change = change
    }
}
