/// Something that fetches one task's result to disk. ``CambClient`` is the real one; tests may
/// substitute their own.
public protocol ResultFetcher: Sendable {
    func fetchResult(
        kind: String, runID: Int64, taskID: String, into directory: String, maxBytes: Int64, media: Bool
    ) async -> ResultOutcome
}

extension CambClient: ResultFetcher {}
