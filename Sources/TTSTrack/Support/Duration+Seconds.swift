import NIOCore

extension Duration {
    /// The duration in seconds, as a Double: for rates and figures, not for scheduling.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension TimeAmount {
    /// A Swift `Duration` as NIO's time amount, to the nanosecond.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
