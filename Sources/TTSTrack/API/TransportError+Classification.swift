import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension TransportError {
    /// The failure of a request to `host`, classified by the type of `error` (never by its
    /// text): AsyncHTTPClient's own errors, NIO's connection and I/O errors (errno), TLS errors,
    /// HTTP parser errors, and ours from the response delegates.
    /// - Parameter proxy: the proxy's `host:port` when the request went through one: failures
    ///   to connect are then the proxy's, and are named so.
    static func classify(_ error: any Error, host: String, proxy: String? = nil) -> TransportError {
        if let error = error as? TransportError { return error }
        if let error = error as? HTTPClientError { return classify(error, host: host, proxy: proxy) }
        if let error = error as? NIOConnectionError {
            // Happy Eyeballs: each address tried has its own error; without any address the
            // name did not resolve.
            if let first = error.connectionErrors.first { return classify(first.error, host: host, proxy: proxy) }
            return TransportError(.nameResolution, host: host, proxy: proxy)
        }
        if let error = error as? SocketAddressError, case .unknown = error {
            return TransportError(.nameResolution, host: host, proxy: proxy)
        }
        if let error = error as? IOError { return classify(errno: error.errnoCode, host: host, proxy: proxy) }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return TransportError(.timeout, host: host, detail: "connecting", proxy: proxy)
            case .eof, .ioOnClosedChannel, .outputClosed, .inputClosed, .alreadyClosed:
                return TransportError(.reset, host: host)
            default: return TransportError(.other, host: host, detail: "channel error")
            }
        }
        if let tls = classifyTLS(error, host: host) { return tls }
        if error is HTTPParserError { return TransportError(.badAnswer, host: host) }
        if error is NIOTooManyBytesError { return TransportError(.bodyTooLarge, host: host) }
        return TransportError(.other, host: host, detail: "\(type(of: error))")
    }

    private static func classify(_ error: HTTPClientError, host: String, proxy: String?) -> TransportError {
        switch error {
        case .deadlineExceeded, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
            return TransportError(.timeout, host: host)
        case .connectTimeout: return TransportError(.timeout, host: host, detail: "connecting", proxy: proxy)
        case .tlsHandshakeTimeout: return TransportError(.timeout, host: host, detail: "TLS handshake")
        case .remoteConnectionClosed: return TransportError(.reset, host: host)
        case .invalidURL, .emptyHost, .emptyScheme: return TransportError(.other, host: host, detail: "invalid URL")
        case .proxyAuthenticationRequired:
            return TransportError(.proxyCredentials, host: host, proxy: proxy ?? "?")
        case .invalidProxyResponse:
            return TransportError(.proxyRefused, host: host, proxy: proxy ?? "?")
        case .httpProxyHandshakeTimeout:
            return TransportError(.timeout, host: host, detail: "opening the tunnel", proxy: proxy ?? "?")
        default: return TransportError(.other, host: host, detail: "HTTP client error")
        }
    }

    private static func classify(errno code: Int32, host: String, proxy: String?) -> TransportError {
        switch code {
        case ECONNREFUSED: TransportError(.refused, host: host, proxy: proxy)
        case ECONNRESET, EPIPE, ECONNABORTED: TransportError(.reset, host: host)
        case ETIMEDOUT: TransportError(.timeout, host: host, proxy: proxy)
        case EHOSTUNREACH, ENETUNREACH, ENETDOWN, EHOSTDOWN:
            TransportError(.network, host: host, detail: String(cString: strerror(code)), proxy: proxy)
        default: TransportError(.other, host: host, detail: String(cString: strerror(code)))
        }
    }

    /// NIOSSL's errors: a name mismatch has a type of its own; a failed verification
    /// (untrusted, expired, not yet valid) is BoringSSL's `CERTIFICATE_VERIFY_FAILED` inside
    /// `handshakeFailed`, first classified as untrusted (``CertificateDiagnosis`` tells
    /// expired and not-yet-valid certificates apart); other handshake failures keep only
    /// BoringSSL's reason, in words.
    private static func classifyTLS(_ error: any Error, host: String) -> TransportError? {
        if let error = error as? NIOSSLExtraError {
            if error == .failedToValidateHostname || error == .serverHostnameImpossibleToMatch {
                return TransportError(.certificateWrongName, host: host)
            }
            return TransportError(.tls, host: host)
        }
        let stack: NIOBoringSSLErrorStack
        switch error {
        case NIOSSLError.handshakeFailed(.sslError(let errors)), NIOSSLError.handshakeFailed(.unknownError(let errors)):
            stack = errors
        case NIOSSLError.uncleanShutdown, NIOSSLError.handshakeFailed(.syscallError):
            return TransportError(.tls, host: host, detail: "the connection closed during the handshake")
        case is NIOSSLError, is BoringSSLError:
            return TransportError(.tls, host: host)
        default:
            return nil
        }
        let reasons = stack.map(BoringSSLReason.init)
        if reasons.contains(where: \.isCertificateVerifyFailed) {
            return TransportError(
                .certificateUntrusted, host: host,
                detail: "no CA in the system's trust store or api.ca_file signed it")
        }
        if reasons.contains(where: \.isWrongVersionNumber) {
            return TransportError(.tls, host: host, detail: "the server does not speak TLS")
        }
        if stack.contains(.eofDuringHandshake) {
            return TransportError(.tls, host: host, detail: "the connection closed during the handshake")
        }
        return TransportError(.tls, host: host, detail: reasons.compactMap(\.words).first)
    }
}
