import AsyncHTTPClient
import NIOCore
import NIOSSL

extension CambClient {
    /// The HTTP client for one ``APITransport``: pooled keep-alive connections, TLS against the
    /// system's trust store plus `api.ca_file`, the proxy, and the HTTP version.
    static func makeHTTPClient(
        transport: APITransport, connectTimeout: Double, maxConnections: Int, group: any EventLoopGroup
    ) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: transport.tlsConfiguration,
            timeout: .init(connect: .milliseconds(Int64(connectTimeout * 1000))),
            connectionPool: .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnections),
            decompression: .disabled)
        // AsyncHTTPClient offers HTTP/2 by ALPN over TLS only; `http2` is `automatic` with a
        // check of each answer's version (``StatusResponseDelegate``).
        configuration.httpVersion = transport.httpVersion == .http1 ? .http1Only : .automatic
        // A failed connect fails the waiting requests at once with its own error (refused,
        // DNS, TLS handshake, the proxy's refusal), instead of being retried silently until the
        // request's deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        // No tracer is bootstrapped; without this each request still opens a no-op span.
        configuration.tracing.tracer = nil
        if let proxy = transport.proxy {
            configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: proxy.authorization)
        }
        return HTTPClient(eventLoopGroup: group, configuration: configuration)
    }
}

extension APIProxy {
    /// Basic credentials for `Proxy-Authorization`, when the proxy URL has a user name.
    var authorization: HTTPClient.Authorization? {
        username.map { HTTPClient.Authorization.basic(username: $0, password: password ?? "") }
    }

    /// The `Proxy-Authorization` header's value.
    var basicAuthorization: String? { authorization?.headerValue }
}
