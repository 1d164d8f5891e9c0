/// What one exchange with the API says about the API itself, whatever the work was (a status
/// check, a result download): the input of ``APIHealth``.
public enum APIObservation: Sendable, Hashable {
    /// An HTTP answer that the API gives when it works.
    case answered
    /// No usable answer.
    case failed(CheckFailure)
    case unauthorized(CheckOutcome.Unauthorized)
    case rateLimited(retryAfter: Double?)
    /// Abandoned: says nothing, but ends a probe.
    case cancelled
}

extension CheckOutcome {
    public var observation: APIObservation {
        switch self {
        case .report, .notFound: .answered
        case .failed(let failure): .failed(failure)
        case .unauthorized(let reason): .unauthorized(reason)
        case .rateLimited(let retryAfter): .rateLimited(retryAfter: retryAfter)
        case .cancelled: .cancelled
        }
    }
}
