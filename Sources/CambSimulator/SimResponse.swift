/// One scripted answer to a status request.
///
/// Covers both the well-formed answers the real CAMB.AI API gives and the failure modes a
/// robust poller must survive (bad JSON, wrong types, slow/hanging/truncated responses,
/// huge bodies), so each can be reproduced deterministically in tests.
public indirect enum SimResponse: Sendable {
    /// `200` with `{"status": …, "run_id": …, "exception_reason": …, "message": …}`.
    /// `extraFields` adds keys the client does not know (`progress`, `meta`, `eta_seconds`)
    /// to check that decoders ignore them.
    case status(
        String,
        runID: Int? = nil,
        reason: String? = nil,
        message: SimMessage? = nil,
        extraFields: Bool = false
    )
    /// An arbitrary response. `content-type: application/json` is added when `body` is not
    /// empty and no content type is given; `content-length` is always computed (a supplied
    /// one is replaced) so the connection stays usable.
    case http(Int, headers: [(String, String)] = [], body: String = "")
    /// `200` with a truncated JSON body: `{"status": "PEND`.
    case malformedJSON
    /// `200` whose body bytes are not valid UTF-8.
    case invalidUTF8
    /// `200` with `{"status":"SUCCESS","run_id":"12"}` (run id as a string).
    case wrongTypes
    /// `200` with `{"run_id": null}` (no status key).
    case missingStatus
    /// The wrapped response, sent after `Duration` (scheduled on the event loop, nothing
    /// blocks). The request counts as in flight for the whole delay.
    case delayed(Duration, SimResponse)
    /// Never answered; the connection stays open until the client gives up or the
    /// simulator shuts down.
    case hang
    /// `200` with a body of exactly `n` bytes (a JSON object padded with `a`s when `n` is
    /// large enough), streamed in 64 KiB chunks with back-pressure, so hundreds of MiB cost
    /// no memory.
    case hugeBody(Int)
    /// Headers announcing a 1000-byte body, then a fragment of it, then the connection is
    /// closed.
    case resetMidBody
    /// `200` with `content-type` announcing `declared` bytes, of which `sent` are sent; then
    /// nothing more until the connection closes: a download cut midway.
    case stallMidBody(contentType: String, declared: Int, sent: Int)

    /// `404 {"detail":"Task not found"}`, what the API answers for unknown task ids.
    public static var notFound: SimResponse {
        .http(404, body: #"{"detail":"Task not found"}"#)
    }

    /// `429` with a `Retry-After` header (seconds or an HTTP date, passed through verbatim).
    public static func rateLimited(retryAfter: String) -> SimResponse {
        .http(429, headers: [("Retry-After", retryAfter)], body: #"{"detail":"Rate limit exceeded"}"#)
    }

    /// `429` with a `retry-after-ms` header.
    public static func rateLimitedMs(_ milliseconds: Int) -> SimResponse {
        .http(
            429,
            headers: [("retry-after-ms", String(milliseconds))],
            body: #"{"detail":"Rate limit exceeded"}"#
        )
    }

    /// A 5xx (default 500) with `{"detail":"Internal Server Error"}`.
    public static func serverError(_ code: Int = 500) -> SimResponse {
        .http(code, body: #"{"detail":"Internal Server Error"}"#)
    }

    /// `422` shaped like FastAPI's validation errors.
    public static var validationError: SimResponse {
        .http(
            422,
            body: #"{"detail":[{"loc":["path","task_id"],"msg":"value is not a valid task id","type":"value_error"}]}"#
        )
    }

    /// Shorthand for a `PENDING` status.
    public static var pending: SimResponse { .status("PENDING") }

    /// Shorthand for a `SUCCESS` status with the given run id.
    public static func success(runID: Int) -> SimResponse { .status("SUCCESS", runID: runID) }

    /// Shorthand for an `ERROR` status.
    public static func error(reason: String = "PROCESSING_ERROR", message: SimMessage? = nil) -> SimResponse {
        .status("ERROR", reason: reason, message: message)
    }

    /// The status code a client will eventually see, used for request records:
    /// `0` for `hang`, the wrapped code for `delayed`.
    var eventualStatusCode: Int {
        switch self {
        case .status, .malformedJSON, .invalidUTF8, .wrongTypes, .missingStatus, .hugeBody, .resetMidBody,
            .stallMidBody:
            return 200
        case .http(let code, _, _):
            return code
        case .delayed(_, let inner):
            return inner.eventualStatusCode
        case .hang:
            return 0
        }
    }
}
