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
            case certificateUntrusted, certificateExpired, certificateNotYetValid, certificateWrongName
            case http2NotOffered, proxyRefused, proxyCredentials
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
        /// The TLS handshake failed for a reason other than the certificates below.
        public static let tls = Kind(.tls)
        /// The server's certificate is signed by no CA of the system's trust store or `api.ca_file`.
        public static let certificateUntrusted = Kind(.certificateUntrusted)
        /// The server's certificate (or one of its chain) is past its end date.
        public static let certificateExpired = Kind(.certificateExpired)
        /// The server's certificate (or one of its chain) is not valid yet: often a wrong clock.
        public static let certificateNotYetValid = Kind(.certificateNotYetValid)
        /// The server's certificate does not name the host of `api.base_url`.
        public static let certificateWrongName = Kind(.certificateWrongName)
        /// `api.http_version` is `http2` and the server did not offer HTTP/2.
        public static let http2NotOffered = Kind(.http2NotOffered)
        /// The proxy would not open a tunnel to the API (its answer to CONNECT was not 200).
        public static let proxyRefused = Kind(.proxyRefused)
        /// The proxy asks for credentials, or refused those of the proxy URL (HTTP 407).
        public static let proxyCredentials = Kind(.proxyCredentials)
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
            case .certificateUntrusted: "certificate not trusted"
            case .certificateExpired: "certificate expired"
            case .certificateNotYetValid: "certificate not valid yet"
            case .certificateWrongName: "certificate for another name"
            case .http2NotOffered: "HTTP/2 not offered"
            case .proxyRefused: "proxy refused"
            case .proxyCredentials: "proxy credentials"
            }
        }
    }

    public let kind: Kind
    /// The host the request went to.
    public let host: String
    /// A few plain words more, e.g. the TLS problem or the byte limit.
    public let detail: String?
    /// The proxy (`host:port`, never its credentials) when it is the proxy that could not be
    /// reached or would not pass the request on; `nil` when the failure is the API host's.
    public let proxy: String?

    public init(_ kind: Kind, host: String, detail: String? = nil, proxy: String? = nil) {
        self.kind = kind
        self.host = host
        self.detail = detail
        self.proxy = proxy
    }

    public var description: String {
        let suffix = detail.map { ": \($0)" } ?? ""
        if let proxy, let text = proxyDescription(proxy, suffix: suffix) { return text }
        switch kind {
        case .timeout: return "no answer from \(host) in time\(suffix)"
        case .refused: return "connection to \(host) refused\(suffix)"
        case .reset: return "connection to \(host) closed before the answer was complete\(suffix)"
        case .nameResolution: return "cannot resolve the host name \(host)\(suffix)"
        case .tls: return "TLS handshake with \(host) failed\(suffix)"
        case .certificateUntrusted: return "certificate of \(host) not trusted\(suffix)"
        case .certificateExpired: return "certificate of \(host) expired\(suffix)"
        case .certificateNotYetValid: return "certificate of \(host) not valid yet\(suffix)"
        case .certificateWrongName: return "certificate of \(host) is for another name\(suffix)"
        case .http2NotOffered: return "\(host) does not offer HTTP/2, which api.http_version http2 requires\(suffix)"
        case .bodyTooLarge: return "answer from \(host) too large\(suffix)"
        case .badAnswer: return "answer from \(host) is not valid HTTP\(suffix)"
        case .network: return "network error reaching \(host)\(suffix)"
        default: return "request to \(host) failed\(suffix)"
        }
    }

    /// The words for a failure of the proxy itself, naming it and the host it was to reach.
    private func proxyDescription(_ proxy: String, suffix: String) -> String? {
        switch kind {
        case .timeout: "no answer from the proxy \(proxy) in time\(suffix)"
        case .refused: "connection to the proxy \(proxy) refused\(suffix)"
        case .nameResolution: "cannot resolve the host name of the proxy \(proxy)\(suffix)"
        case .network: "network error reaching the proxy \(proxy)\(suffix)"
        case .reset: "the proxy \(proxy) closed the connection to \(host)\(suffix)"
        case .proxyRefused: "the proxy \(proxy) refused to connect to \(host)\(suffix)"
        case .proxyCredentials: "the proxy \(proxy) asks for credentials (HTTP 407)\(suffix)"
        default: nil
        }
    }
}
