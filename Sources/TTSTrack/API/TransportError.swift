/// Why no usable HTTP exchange with the API took place: a struct around a kind (as
/// AsyncHTTPClient's `HTTPClientError` is), so new kinds need no new enum case, and callers
/// match on ``kind`` rather than on the words.
///
/// Carries the host it concerns, so the operator reads which server could not be reached, and
/// a short detail in plain words; never a key, a source path or a library's dump.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this was.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Code: Hashable, Sendable {
            case timeout, refused, reset, nameResolution, tls, bodyTooLarge, badAnswer, network, other
        }
        private let code: Code
        private init(_ code: Code) { self.code = code }

        /// No answer within `api.timeout` (connect, TLS handshake or reading).
        public static let timeout = Kind(.timeout)
        /// Nothing listens at the host and port.
        public static let refused = Kind(.refused)
        /// The connection was closed or reset before the answer was complete.
        public static let reset = Kind(.reset)
        /// The host name could not be resolved.
        public static let nameResolution = Kind(.nameResolution)
        /// The TLS handshake failed (certificate not trusted, expired, wrong name, …).
        public static let tls = Kind(.tls)
        /// The answer's body was larger than the client reads.
        public static let bodyTooLarge = Kind(.bodyTooLarge)
        /// The bytes received were not a valid HTTP answer.
        public static let badAnswer = Kind(.badAnswer)
        /// The network itself: no route to the host, network unreachable.
        public static let network = Kind(.network)
        /// Anything not classified above.
        public static let other = Kind(.other)

        public var description: String {
            switch code {
            case .timeout: "timeout"
            case .refused: "refused"
            case .reset: "reset"
            case .nameResolution: "name resolution"
            case .tls: "TLS"
            case .bodyTooLarge: "body too large"
            case .badAnswer: "bad answer"
            case .network: "network"
            case .other: "other"
            }
        }
    }

    public let kind: Kind
    /// The host the request went to.
    public let host: String
    /// A few plain words more, e.g. the TLS problem or the byte limit.
    public let detail: String?

    public init(_ kind: Kind, host: String, detail: String? = nil) {
        self.kind = kind
        self.host = host
        self.detail = detail
    }

    public var description: String {
        let suffix = detail.map { ": \($0)" } ?? ""
        switch kind {
        case .timeout: return "no answer from \(host) in time\(suffix)"
        case .refused: return "connection to \(host) refused\(suffix)"
        case .reset: return "connection to \(host) closed before the answer was complete\(suffix)"
        case .nameResolution: return "cannot resolve the host name \(host)\(suffix)"
        case .tls: return "TLS with \(host) failed\(suffix)"
        case .bodyTooLarge: return "answer from \(host) too large\(suffix)"
        case .badAnswer: return "answer from \(host) is not valid HTTP\(suffix)"
        case .network: return "network error reaching \(host)\(suffix)"
        default: return "request to \(host) failed\(suffix)"
        }
    }
}
