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
    static func classify(_ error: any Error, host: String) -> TransportError {
        if let error = error as? TransportError { return error }
        if let error = error as? HTTPClientError { return classify(error, host: host) }
        if let error = error as? NIOConnectionError {
            // Happy Eyeballs: each address tried has its own error; without any address the
            // name did not resolve.
            if let first = error.connectionErrors.first { return classify(first.error, host: host) }
            return TransportError(.nameResolution, host: host)
        }
        if let error = error as? SocketAddressError, case .unknown = error {
            return TransportError(.nameResolution, host: host)
        }
        if let error = error as? IOError { return classify(errno: error.errnoCode, host: host) }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return TransportError(.timeout, host: host, detail: "connecting")
            case .eof, .ioOnClosedChannel, .outputClosed, .inputClosed, .alreadyClosed:
                return TransportError(.reset, host: host)
            default: return TransportError(.other, host: host, detail: "channel error")
            }
        }
        if error is NIOSSLError || error is BoringSSLError {
            return TransportError(.tls, host: host, detail: "handshake failed")
        }
        if error is HTTPParserError { return TransportError(.badAnswer, host: host) }
        if error is NIOTooManyBytesError { return TransportError(.bodyTooLarge, host: host) }
        return TransportError(.other, host: host, detail: "\(type(of: error))")
    }

    private static func classify(_ error: HTTPClientError, host: String) -> TransportError {
        switch error {
        case .deadlineExceeded, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
            return TransportError(.timeout, host: host)
        case .connectTimeout: return TransportError(.timeout, host: host, detail: "connecting")
        case .tlsHandshakeTimeout: return TransportError(.timeout, host: host, detail: "TLS handshake")
        case .remoteConnectionClosed: return TransportError(.reset, host: host)
        case .invalidURL, .emptyHost, .emptyScheme: return TransportError(.other, host: host, detail: "invalid URL")
        default: return TransportError(.other, host: host, detail: "HTTP client error")
        }
    }

    private static func classify(errno code: Int32, host: String) -> TransportError {
        switch code {
        case ECONNREFUSED: TransportError(.refused, host: host)
        case ECONNRESET, EPIPE, ECONNABORTED: TransportError(.reset, host: host)
        case ETIMEDOUT: TransportError(.timeout, host: host)
        case EHOSTUNREACH, ENETUNREACH, ENETDOWN, EHOSTDOWN:
            TransportError(.network, host: host, detail: String(cString: strerror(code)))
        default: TransportError(.other, host: host, detail: String(cString: strerror(code)))
        }
    }
}
