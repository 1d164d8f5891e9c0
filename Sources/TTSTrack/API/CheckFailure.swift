/// Why a status check learned nothing about its task. Each case says in plain words what went
/// wrong (``description``, for `Stats.api_error` and the log) and whether an HTTP answer was had
/// at all (``isTransport``), which decides whether the API counts as unreachable.
public enum CheckFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// No HTTP answer: timeout, refused, reset, DNS, TLS, an oversized or invalid answer.
    case transport(TransportError)
    /// An HTTP status the check cannot use (5xx, 408, 409, 422, other 4xx), with the API's
    /// own explanation when it gave one (a 422's first `detail[].msg`).
    case httpStatus(Int, detail: String? = nil)
    /// A 200 whose body is not a status: malformed JSON, wrong types, `SUCCESS` without `run_id`.
    case malformedAnswer(String)
    /// `api.base_url` and the task make no valid URL.
    case invalidURL(baseURL: String)

    /// True when no HTTP answer was had at all.
    public var isTransport: Bool {
        if case .transport = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .transport(let error): error.description
        case .httpStatus(422, let detail): "API rejected the request (HTTP 422\(detail.map { ": \($0)" } ?? ""))"
        case .httpStatus(let status, let detail): "API answered HTTP \(status)\(detail.map { ": \($0)" } ?? "")"
        case .malformedAnswer(let reason): reason
        case .invalidURL(let baseURL): "invalid status URL for api.base_url \(baseURL)"
        }
    }
}
