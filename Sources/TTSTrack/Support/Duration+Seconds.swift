extension Duration {
    /// The duration in seconds, as a Double: for rates and figures, not for scheduling.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
