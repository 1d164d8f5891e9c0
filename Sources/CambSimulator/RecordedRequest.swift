public import Foundation

/// One HTTP request as seen by the simulator, kept so tests can assert on what a client
/// actually sent (timing between polls, api key, which ids were polled).
///
/// Recording only happens when the simulator was created with `recordRequests: true`.
public struct RecordedRequest: Sendable {
    /// Monotonic arrival time, for measuring intervals between polls without wall-clock jumps.
    public let at: ContinuousClock.Instant
    /// Wall-clock arrival time, for correlating with logs.
    public let wallTime: Date
    /// The HTTP method, e.g. `GET`.
    public let method: String
    /// The raw request target (path plus query) exactly as received, still percent-encoded.
    public let path: String
    /// The task kind (`tts`, `dub`, …) for status requests, `tts-result` / `files` for result
    /// downloads, `nil` for anything the simulator did not recognise.
    public let kind: String?
    /// The percent-decoded task id for status requests, the run id for result downloads,
    /// `nil` otherwise.
    public let taskID: String?
    /// The value of the `x-api-key` header, `nil` if absent.
    public let apiKey: String?
    /// The status code the simulator decided to answer with. For `SimResponse.hang` this is
    /// `0`, because no response is ever sent; for `delayed` it is the eventual code.
    public let statusCode: Int

    /// Creates a record; public so tests of other components can fabricate records.
    public init(
        at: ContinuousClock.Instant,
        wallTime: Date,
        method: String,
        path: String,
        kind: String?,
        taskID: String?,
        apiKey: String?,
        statusCode: Int
    ) {
        self.at = at
        self.wallTime = wallTime
        self.method = method
        self.path = path
        self.kind = kind
        self.taskID = taskID
        self.apiKey = apiKey
        self.statusCode = statusCode
    }
}
