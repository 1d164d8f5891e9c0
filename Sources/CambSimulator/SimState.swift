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

    init(apiKey: String?, behavior: CambSimulator.DefaultBehavior) {
        self.apiKey = apiKey
        self.behavior = behavior
    }
}
