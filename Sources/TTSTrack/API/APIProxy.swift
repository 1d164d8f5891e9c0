/// An HTTP proxy the status requests go through: `http://[user:pass@]host[:port]`, as
/// `api.proxy` or the `https_proxy` / `http_proxy` variables give it. AsyncHTTPClient tunnels
/// every request through it with `CONNECT host:port`, for `http://` base URLs too.
///
/// The credentials are secrets like the API key: ``description`` and ``label`` never show them.
public struct APIProxy: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int
    /// Percent-decoded, as curl reads them.
    public let username: String?
    public let password: String?

    /// curl's default when the URL names no port.
    public static let defaultPort = 1080

    /// Why a proxy URL cannot be used; never repeats the URL (it may hold a password).
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(host: String, port: Int, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    /// Parses `http://[user[:pass]@]host[:port][/]`; a URL without a scheme is taken as
    /// `http://` (as curl does). `https://` and SOCKS proxies are not supported.
    public init(parsing text: String) throws(Invalid) {
        var rest = Substring(text.trimmingWhitespace)
        if let scheme = rest.range(of: "://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            guard name == "http" else {
                throw Invalid(description: "only http:// proxies are supported, not \(name)://")
            }
            rest = rest[scheme.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...].allSatisfy({ $0 == "/" }) else {
                throw Invalid(description: "a proxy URL has no path")
            }
            rest = rest[..<slash]
        }
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                username = Self.percentDecoded(credentials[..<colon])
                password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
            } else {
                username = Self.percentDecoded(credentials)
            }
        }
        var host = rest
        var port = Self.defaultPort
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()), (1...65535).contains(number) else {
                    throw Invalid(description: "the proxy's port must be 1-65535")
                }
                port = number
            } else if !after.isEmpty {
                throw Invalid(description: "the proxy's address is not host:port")
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let number = Int(host[host.index(after: colon)...]), (1...65535).contains(number) else {
                throw Invalid(description: "the proxy's port must be 1-65535")
            }
            port = number
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw Invalid(description: "the proxy URL names no host") }
        self.init(host: String(host), port: port, username: username, password: password)
    }

    /// `host:port`, for messages and logs.
    public var label: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// `http://host:port`, with `***` in place of credentials when there are any.
    public var description: String {
        username == nil ? "http://\(label)" : "http://***@\(label)"
    }

    /// `%41` → `A`; a malformed escape stays as it is.
    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
