extension APIProxy {
    /// The proxy for requests to `baseURL`: `api.proxy` when set, else `https_proxy` /
    /// `HTTPS_PROXY` for `https://` and `http_proxy` / `HTTP_PROXY` for `http://` base URLs
    /// (lower case first, as curl); `nil` when none is set or `NO_PROXY` / `no_proxy` lists
    /// the host (curl applies it to a configured proxy too).
    /// - Throws: ``Invalid`` naming where the unusable proxy URL came from (never the URL).
    public static func resolve(
        configured: String, baseURL: String, environment: [String: String]
    ) throws(Invalid) -> APIProxy? {
        guard let target = Self.target(of: baseURL) else { return nil }
        let names = target.https ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"]
        var source = "api.proxy"
        var text = configured.trimmingWhitespace
        if text.isEmpty, let name = names.first(where: { !(environment[$0]?.trimmingWhitespace ?? "").isEmpty }) {
            source = name
            text = environment[name]!.trimmingWhitespace
        }
        guard !text.isEmpty else { return nil }
        let noProxy = NoProxyList(environment["no_proxy"] ?? environment["NO_PROXY"] ?? "")
        if noProxy.bypasses(host: target.host, port: target.port) { return nil }
        do {
            return try APIProxy(parsing: text)
        } catch {
            throw Invalid(description: "\(source): \(error.description)")
        }
    }

    /// Scheme, host and port of an `http(s)://host[:port]/…` URL.
    private static func target(of url: String) -> (https: Bool, host: String, port: Int)? {
        let lower = url.lowercased()
        let https = lower.hasPrefix("https://")
        guard https || lower.hasPrefix("http://") else { return nil }
        var rest = url.dropFirst(https ? 8 : 7)
        rest = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        var host = rest
        var port = https ? 443 : 80
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":"), let number = Int(after.dropFirst()) { port = number }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            if let number = Int(rest[rest.index(after: colon)...]) { port = number }
        }
        return (https, String(host), port)
    }
}
