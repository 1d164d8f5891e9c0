/// Behaviour selected by a task id prefix, so out-of-process tests and demos can provoke
/// specific outcomes without access to `CambSimulator.script`.
///
/// | prefix          | answers                                                              |
/// |-----------------|----------------------------------------------------------------------|
/// | `sim-error-`    | 1× PENDING, then ERROR / PROCESSING_ERROR / "Simulated failure"      |
/// | `sim-harmful-`  | 1× PENDING, then ERROR / HARMFUL_CONTENT_DETECTED / object message    |
/// | `sim-timeout-`  | 1× PENDING, then TIMEOUT                                             |
/// | `sim-payment-`  | 1× PENDING, then PAYMENT_REQUIRED                                    |
/// | `sim-404-`      | always 404 `{"detail":"Task not found"}`                             |
/// | `sim-pending-`  | PENDING forever                                                      |
/// | `sim-queued-`   | status "QUEUED" forever                                              |
/// | `sim-slow-`     | first request: PENDING after 2 s; afterwards the default behaviour   |
enum SimMagicID {
    case error, harmful, timeout, payment, notFound, pending, queued, slow

    /// The magic behaviour for `taskID`, or `nil` for an ordinary id.
    static func classify(_ taskID: String) -> SimMagicID? {
        guard taskID.hasPrefix("sim-") else { return nil }
        if taskID.hasPrefix("sim-error-") { return .error }
        if taskID.hasPrefix("sim-harmful-") { return .harmful }
        if taskID.hasPrefix("sim-timeout-") { return .timeout }
        if taskID.hasPrefix("sim-payment-") { return .payment }
        if taskID.hasPrefix("sim-404-") { return .notFound }
        if taskID.hasPrefix("sim-pending-") { return .pending }
        if taskID.hasPrefix("sim-queued-") { return .queued }
        if taskID.hasPrefix("sim-slow-") { return .slow }
        return nil
    }

    /// The response for the `index`-th answered request, or `nil` to fall through to the
    /// default behaviour.
    func response(index: Int) -> SimResponse? {
        switch self {
        case .error:
            return index == 0
                ? .pending
                : .status("ERROR", reason: "PROCESSING_ERROR", message: .string("Simulated failure"))
        case .harmful:
            return index == 0
                ? .pending
                : .status(
                    "ERROR",
                    reason: "HARMFUL_CONTENT_DETECTED",
                    message: .object(["code": "harmful", "detail": "Simulated harmful content detected"])
                )
        case .timeout:
            return index == 0 ? .pending : .status("TIMEOUT")
        case .payment:
            return index == 0 ? .pending : .status("PAYMENT_REQUIRED")
        case .notFound:
            return .notFound
        case .pending:
            return .pending
        case .queued:
            return .status("QUEUED")
        case .slow:
            return index == 0 ? .delayed(.seconds(2), .pending) : nil
        }
    }
}
