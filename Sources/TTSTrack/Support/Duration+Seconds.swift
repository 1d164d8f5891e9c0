import NIOCore

extension Duration {
    /// The duration in seconds, as a Double: for rates and figures, not for scheduling.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The duration in whole nanoseconds (what swift-metrics' timers and NIO's time take).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension TimeAmount {
    /// A Swift `Duration` as NIO's time amount, to the nanosecond.
    init(_ duration: Duration) {
        self = .nanoseconds(duration.nanoseconds)
    }
}
