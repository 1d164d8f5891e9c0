/// All mutable simulator state, guarded by one `Mutex` in `SimEngine` so a request is
/// counted, scripted and recorded atomically.
struct SimState: Sendable {
    var apiKey: String?
    var behavior: CambSimulator.DefaultBehavior
    var scripts: [SimTaskKey: [SimResponse]] = [:]
    var counters: [SimTaskKey: SimTaskCounter] = [:]
    var totalStatusRequests = 0
    var inFlight = 0
    var maxInFlight = 0
    var records: [RecordedRequest] = []
    /// Requests by the major HTTP version they came in (1, 2), so tests see HTTP/2 was used.
    var requestsByHTTPMajorVersion: [Int: Int] = [:]
    var baseURL = "http://127.0.0.1:0"
    /// Bytes of every fake audio result.
    var audioSize = SimAudio.defaultSize
    /// Seconds a file URL stays valid.
    var fileURLLifetime = 300
    /// Durations per kind, for ids without script or magic prefix of those kinds.
    var durations: TaskDurations?
    /// When each task was started by the caller (else its first answered request is its start).
    var started: [SimTaskKey: ContinuousClock.Instant] = [:]

    init(apiKey: String?, behavior: CambSimulator.DefaultBehavior) {
        self.apiKey = apiKey
        self.behavior = behavior
    }
}
