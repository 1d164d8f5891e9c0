/// Something that performs one status check. ``CambClient`` is the real one; tests may
/// substitute their own.
public protocol StatusChecker: Sendable {
    func check(kind: String, taskID: String) async -> CheckOutcome
}
