/// `api.http_version`: which HTTP the status requests speak.
public enum APIHTTPVersion: String, Sendable, CaseIterable {
    /// HTTP/2 when the server offers it over TLS (ALPN), else HTTP/1.1.
    case auto
    /// HTTP/1.1 only, even when the server offers HTTP/2.
    case http1
    /// As `auto`, but an answer over anything but HTTP/2 is a failed check that says so: the
    /// HTTP client has no "HTTP/2 only" switch and no HTTP/2 without TLS (prior knowledge),
    /// so this needs an `https://` base URL.
    case http2
}
