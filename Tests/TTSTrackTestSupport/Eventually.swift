/// A condition that did not come true in time.
public struct TimedOut: Error, CustomStringConvertible {
    public let description: String
}

/// Re-evaluates `condition` every few milliseconds until it holds; throws after `timeout`.
/// Tests wait on conditions, never for fixed times.
public func eventually(
    timeout: Duration = .seconds(30), _ what: String = "condition", _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    throw TimedOut(description: "\(what) did not hold within \(timeout)")
}
