/// The engine's decision for one request, handed to the channel handler to render.
enum SimPlan: Sendable {
    /// The canned `PENDING` response (precomputed bytes, no per-request encoding).
    case pendingFast
    /// `401 {"detail":"Invalid API key"}`.
    case unauthorized
    /// `404 {"detail":"Not Found"}` for unknown paths.
    case pathNotFound
    /// `405` for a non-GET request on a known path.
    case methodNotAllowed
    /// A scripted, magic or default response.
    case respond(SimResponse)
    /// Fake audio bytes for a run, in a format.
    case audio(runID: Int, format: SimAudio.Format, size: Int)
    /// `{"output_url": …, "file_url": …}`.
    case fileURL(String)
    /// The JSON result of a run at a result endpoint.
    case resultJSON(endpoint: String, runID: Int)
    /// `403`: a file URL past its expiry.
    case expired

    /// The status code recorded for the request.
    var statusCode: Int {
        switch self {
        case .pendingFast, .audio, .fileURL, .resultJSON: 200
        case .expired: 403
        case .unauthorized: 401
        case .pathNotFound: 404
        case .methodNotAllowed: 405
        case .respond(let response): response.eventualStatusCode
        }
    }
}
