/// What one attempt to fetch a task's result came to.
public enum ResultOutcome: Sendable, Hashable {
    /// Complete under its final name, fsynced.
    case saved(path: String, bytes: Int64)
    /// 401/403, or no key: a problem of the daemon; the attempt does not count.
    case unauthorized(CheckOutcome.Unauthorized)
    /// 429: everyone slows down; the attempt does not count.
    case rateLimited(retryAfter: Double?)
    /// The attempt failed; it is retried with backoff up to `results.max_attempts`.
    case failed(ResultFailure)
    /// Abandoned (shutdown): redone after the restart.
    case cancelled

    /// What the attempt says about the API itself, shared with status checks.
    public var observation: APIObservation {
        switch self {
        case .saved: .answered
        case .unauthorized(let reason): .unauthorized(reason)
        case .rateLimited(let retryAfter): .rateLimited(retryAfter: retryAfter)
        case .failed(.api(let failure)): .failed(failure)
        // An answer came; what was wrong with it is the result's problem, not the API's.
        case .failed: .answered
        case .cancelled: .cancelled
        }
    }
}

/// Why an attempt to fetch a result failed, in words a person understands.
public enum ResultFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// No usable answer from the API (transport, an HTTP status, a bad URL).
    case api(CheckFailure)
    /// 200 with nothing in it.
    case emptyBody
    /// More than `results.max_bytes`.
    case tooLarge(max: Int64)
    /// A JSON document where the audio itself was expected (e.g. an error passed off as 200).
    case jsonInsteadOfAudio(String?)
    /// A JSON result that does not parse.
    case malformedJSON(String)
    /// The file could not be written (full disk, permissions).
    case storage(String)
    /// A media file the JSON result names could not be fetched.
    case media(String, String)

    public var description: String {
        switch self {
        case .api(let failure): "\(failure)"
        case .emptyBody: "the API sent an empty result"
        case .tooLarge(let max): "the result is larger than results.max_bytes (\(max) bytes)"
        case .jsonInsteadOfAudio(let detail?): "the API sent JSON where audio was expected: \(detail)"
        case .jsonInsteadOfAudio(nil): "the API sent JSON where audio was expected"
        case .malformedJSON(let reason): "the result is not valid JSON (\(reason))"
        case .storage(let reason): "cannot write the result file: \(reason)"
        case .media(let name, let reason): "cannot fetch the media file \(name) the result names: \(reason)"
        }
    }
}
