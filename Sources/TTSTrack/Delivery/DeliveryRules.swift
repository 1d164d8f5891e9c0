public import TTSTrackWire

/// What an attempt's outcome does to its delivery: the one place retries and giving up are
/// decided, a pure function of the outcome, the attempts so far and the time.
public enum DeliveryRules {
    /// Seconds from the `failures`-th failed attempt to the next: 1 s, doubling, at most 10
    /// minutes.
    public static func retryDelay(afterFailures failures: Int) -> Double {
        min(600, Double(1 << min(max(failures - 1, 0), 30)))
    }

    /// The update to store, or nil for a cancelled attempt (nothing changes; it stays due).
    public static func update(
        for delivery: DueDelivery, outcome: DeliveryOutcome, maxAttempts: Int, now: Timestamp
    ) -> DeliveryUpdate? {
        let attempts = delivery.attempts + 1
        let change: DeliveryUpdate.Change
        switch outcome {
        case .delivered:
            change = .delivered
        case .failed(let reason, _):
            change =
                attempts >= maxAttempts
                ? .failed(error: reason)
                : .retry(at: now.adding(seconds: retryDelay(afterFailures: attempts)), error: reason)
        case .refused(let reason):
            change = .failed(error: reason)
        case .cancelled:
            return nil
        }
        return DeliveryUpdate(rowID: delivery.rowID, taskID: delivery.taskID, attempts: attempts, change: change)
    }
}
