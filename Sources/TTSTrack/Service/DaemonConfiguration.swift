/// Everything `ttstrackd` can be configured with, each key with its documented default.
public struct DaemonConfiguration: Sendable, Equatable {
    public var apiBaseURL = "https://client.camb.ai/apis"
    public var apiKeyFile = "/etc/ttstrack/api-key"
    /// Seconds for one status request, connect to last byte.
    public var apiTimeout = 30.0
    /// `api.ca_file`: PEM certificates trusted besides the system's trust store.
    public var apiCAFile = ""
    /// `api.proxy`: `http://[user:pass@]host:port`; empty: the proxy variables, if any.
    public var apiProxy = ""
    /// `api.http_version`: `auto`, `http1` or `http2`.
    public var apiHTTPVersion = APIHTTPVersion.auto
    public var storePath: String
    public var socketPath: String
    /// `control.mode`, e.g. `0o660`.
    public var socketMode: UInt32 = 0o660
    public var maxConnections = 1024
    /// `control.allow_uids` / `control.allow_groups`: when either is set, only these users and
    /// groups (and root and the daemon's own user) may call methods.
    public var allowUIDs: [Int] = []
    public var allowGroups: [String] = []
    /// Seconds a client may take to finish a message it started (`control.message_timeout`).
    public var messageTimeout = 30.0
    /// Events a `Watch` may fall behind before it is cut off (`control.watch_buffer`).
    public var watchBuffer = 10_000
    public var poll = PollPolicy()
    /// `results.*`: which results are fetched to disk.
    public var results = ResultPolicy()
    // Delivery when a task ends.
    /// `hooks.*`: the program run for each task that ends.
    public var hooks = HookPolicy()
    /// `webhooks.*`: the signed POST made for each task that ends.
    public var webhooks = WebhookPolicy()
    /// Days events are kept for `Watch(since:)`.
    public var eventsRetentionDays = 7.0
    public var logLevel = "info"
    /// `metrics.listen`: `host:port` where `GET /metrics` is served; empty: off.
    public var metricsListen = ""

    /// Where `/metrics` listens, or nil when metrics are off.
    public var metricsAddress: MetricsListenAddress? {
        get throws(Invalid) { metricsListen.isEmpty ? nil : try MetricsListenAddress(parsing: metricsListen) }
    }

    /// Where results asked for with `Fetch` go when `results.dir` is not set: beside the store.
    public var onDemandResultsDirectory: String {
        if !results.directory.isEmpty { return results.directory }
        let parent = storePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return (parent.isEmpty ? "." : parent) + "/results"
    }

    public init(storePath: String, socketPath: String) {
        self.storePath = storePath
        self.socketPath = socketPath
    }

    /// Why the configuration cannot work, or `nil`.
    public var problem: String? {
        if let problem = poll.problem { return problem }
        if let problem = results.problem { return problem }
        if let problem = hooks.problem { return problem }
        if let problem = webhooks.problem { return problem }
        if !(apiTimeout > 0) { return "api.timeout must be more than 0" }
        if !apiBaseURL.hasPrefix("http://") && !apiBaseURL.hasPrefix("https://") {
            return "api.base_url must start with http:// or https://"
        }
        if apiHTTPVersion == .http2 && !apiBaseURL.hasPrefix("https://") {
            return "api.http_version http2 needs an https:// api.base_url (HTTP/2 without TLS is not supported)"
        }
        if storePath.isEmpty { return "store.path must not be empty" }
        if socketPath.isEmpty { return "control.socket must not be empty" }
        if socketPath.utf8.count > 107 { return "control.socket is longer than a Unix socket path may be (107 bytes)" }
        if socketMode > 0o777 { return "control.mode must be an octal mode like 0660" }
        if watchBuffer < 1 { return "control.watch_buffer must be 1 or more" }
        if !(messageTimeout > 0) { return "control.message_timeout must be more than 0" }
        if maxConnections < 1 { return "control.max_connections must be 1 or more" }
        if !(eventsRetentionDays > 0) { return "events.retention_days must be more than 0" }
        do {
            _ = try metricsAddress
        } catch {
            return error.description
        }
        if !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) {
            return "log.level must be one of trace, debug, info, notice, warning, error, critical"
        }
        return nil
    }
}
