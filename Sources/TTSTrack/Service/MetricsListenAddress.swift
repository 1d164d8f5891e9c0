/// Where `/metrics` listens (`metrics.listen`): `host:port`, the host an IPv4 address, an IPv6
/// address in brackets (`[::1]:9464`) or a name such as `localhost`.
public struct MetricsListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// Parses `text`; a value that is not `host:port` with a port from 1 to 65535 is an error
    /// that says what to write instead.
    public init(parsing text: String) throws(DaemonConfiguration.Invalid) {
        let invalid = DaemonConfiguration.Invalid(
            "metrics.listen must be host:port, like 127.0.0.1:9464 or [::1]:9464, not \"\(text)\"")
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw invalid
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard host.contains(":") else { throw invalid }
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw invalid }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            // An IPv6 address needs brackets, or its last group would read as the port.
            guard !host.contains(":") else { throw invalid }
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace), portText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let port = Int(portText), (1...65535).contains(port)
        else { throw invalid }
        self.host = String(host)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
