package import TTSTrackWire

/// The daemon's counts and the state of its link to the API: what to look at first when tasks
/// do not move. Fields a daemon does not send are nil.
public struct TrackerStats: Sendable, Hashable {
    public var version: String?
    /// Seconds since the daemon started.
    public var uptime: Double?
    /// Tasks by status.
    public var tasks: [String: Int64]
    public var checksTotal: Int64?
    public var checksFailed: Int64?
    /// `ok`, or what is wrong with the API link (such as `unauthorized`).
    public var apiState: String?
    public var apiError: String?
    /// Watches in progress.
    public var watchers: Int64?
    /// What last went wrong writing to the store, while it still does.
    public var storeError: String?
    /// What the adaptive schedule has learned per kind (empty from a daemon that does not say).
    public var schedule: [String: LearnedDurations]
    /// Tasks by result state (`pending`, `done`, `failed`), when results are fetched.
    public var results: [String: Int64]
    /// Deliveries not yet made and given up, by `hooks.pending`, `hooks.failed`,
    /// `webhooks.pending`, `webhooks.failed` (empty from a daemon that does not say).
    public var deliveries: [String: Int64]
    /// The reply as it came.
    package var reply: [String: JSONValue]

    init(reply: [String: JSONValue]) {
        self.reply = reply
        version = reply["version"]?.stringValue
        uptime = reply["uptime"]?.doubleValue
        tasks = (reply["tasks"]?.objectValue ?? [:]).compactMapValues(\.integerValue)
        checksTotal = reply["checks_total"]?.integerValue
        checksFailed = reply["checks_failed"]?.integerValue
        apiState = reply["api_state"]?.stringValue
        apiError = reply["api_error"]?.stringValue
        watchers = reply["watchers"]?.integerValue
        storeError = reply["store_error"]?.stringValue
        results = (reply["results"]?.objectValue ?? [:]).compactMapValues(\.integerValue)
        deliveries = (reply["deliveries"]?.objectValue ?? [:]).compactMapValues(\.integerValue)
        schedule = (reply["schedule"]?.objectValue ?? [:]).compactMapValues { value in
            guard let finishes = value["finishes"]?.integerValue else { return nil }
            return LearnedDurations(
                finishes: Int(finishes), median: value["median"]?.doubleValue, p90: value["p90"]?.doubleValue)
        }
    }

    /// What the daemon's adaptive schedule has learned of one kind's durations.
    public struct LearnedDurations: Sendable, Hashable {
        /// Finishes seen (a recent window).
        public var finishes: Int
        /// Seconds from Add to finish, once enough finishes are seen.
        public var median: Double?
        public var p90: Double?
    }
}
