/// The `results.*` settings: which finished tasks get their result fetched, where to, and how
/// hard the daemon tries.
public struct ResultPolicy: Sendable, Equatable {
    /// Where results go; empty: none are fetched unless asked for (`Fetch`).
    public var directory = ""
    /// Kinds whose results are fetched; empty: every kind with a result endpoint.
    public var kinds: [String] = []
    /// Downloads at once.
    public var concurrency = 4
    /// A larger result is a failed attempt.
    public var maxBytes: Int64 = 2_147_483_648
    /// Failed attempts before the result is given up on.
    public var maxAttempts = 8
    /// Also fetch the media URLs a JSON result names, into `<task_id>/`.
    public var media = false

    public init() {}

    /// True when the result of a `kind` task that turns SUCCESS is fetched by itself.
    public func fetches(kind: String) -> Bool {
        !directory.isEmpty && ResultEndpoint.of(kind: kind) != nil && (kinds.isEmpty || kinds.contains(kind))
    }

    /// Seconds from the `failures`-th failed attempt to the next: 1 s, doubling, at most
    /// `maxInterval` (`poll.max_interval`).
    public static func retryDelay(afterFailures failures: Int, maxInterval: Double) -> Double {
        min(max(1, maxInterval), Double(1 << min(max(failures - 1, 0), 30)))
    }

    /// Why the settings cannot work, or `nil`.
    public var problem: String? {
        if !directory.isEmpty && !directory.hasPrefix("/") { return "results.dir must be an absolute path" }
        if concurrency < 1 || concurrency > 256 { return "results.concurrency must be from 1 to 256" }
        if maxBytes < 1 { return "results.max_bytes must be 1 or more" }
        if maxAttempts < 1 { return "results.max_attempts must be 1 or more" }
        for kind in kinds where ResultEndpoint.of(kind: kind) == nil {
            return "results.kinds names \(kind), which has no result endpoint"
        }
        return nil
    }
}
