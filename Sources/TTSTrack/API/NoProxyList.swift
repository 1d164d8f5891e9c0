/// `NO_PROXY` / `no_proxy`, read as curl reads it: hosts that are reached directly although a
/// proxy is set.
///
/// Entries are separated by commas (or white space) and compared without regard to case:
/// - `*` matches every host;
/// - a name matches itself and its subdomains: `example.com` and `.example.com` both match
///   `example.com` and `api.example.com` (a leading `*.` is read as `.`), never `badexample.com`;
/// - an IP address matches only that address (`::1` or `[::1]` for IPv6);
/// - `host:port` (`[v6]:port`) matches only requests to that port.
public struct NoProxyList: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var name: String
        var port: Int?
    }

    let matchesAll: Bool
    let entries: [Entry]

    public init(_ text: String) {
        var all = false
        var entries: [Entry] = []
        let tokens = text.split { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" }
        for token in tokens {
            if token == "*" {
                all = true
                continue
            }
            if let entry = Self.entry(token) { entries.append(entry) }
        }
        matchesAll = all
        self.entries = entries
    }

    /// True when a request to `host` on `port` goes direct.
    public func bypasses(host: String, port: Int) -> Bool {
        if matchesAll { return true }
        let host = Self.normalized(host)
        guard !host.isEmpty else { return false }
        let isAddress = Self.isIPAddress(host)
        for entry in entries where entry.port == nil || entry.port == port {
            if entry.name == host { return true }
            if !isAddress, !Self.isIPAddress(entry.name), host.hasSuffix("." + entry.name) { return true }
        }
        return false
    }

    private static func entry(_ token: Substring) -> Entry? {
        var name = token
        var port: Int?
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return nil }
            let after = name[name.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) }
            name = name[name.index(after: name.startIndex)..<close]
        } else if name.filter({ $0 == ":" }).count == 1, let colon = name.firstIndex(of: ":") {
            // One colon: name:port. More: a bare IPv6 address.
            guard let number = Int(name[name.index(after: colon)...]) else { return nil }
            port = number
            name = name[..<colon]
        }
        if name.hasPrefix("*.") { name = name.dropFirst(2) }
        while name.hasPrefix(".") { name = name.dropFirst() }
        let normalized = normalized(String(name))
        return normalized.isEmpty ? nil : Entry(name: normalized, port: port)
    }

    /// Lower case, without brackets or a trailing dot.
    private static func normalized(_ host: String) -> String {
        var host = Substring(host.lowercased())
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        while host.hasSuffix(".") { host = host.dropLast() }
        return String(host)
    }

    /// An IPv6 address has a colon; an IPv4 one is four numbers.
    private static func isIPAddress(_ host: String) -> Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}
