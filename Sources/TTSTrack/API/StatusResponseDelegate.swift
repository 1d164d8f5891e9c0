import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization
import TTSTrackWire

/// Turns one status answer into a ``CheckOutcome`` on the connection's event loop: the head and
/// body parts arrive as callbacks, the body is kept only up to a cap, and the outcome is the
/// request's result. One future completion per check instead of the async API's separate hops
/// for the head and every body part.
final class StatusResponseDelegate: HTTPClientResponseDelegate {
    typealias Response = CheckOutcome

    private struct State {
        var status: Int = 0
        var retryAfter: String?
        var retryAfterMs: String?
        var body: ByteBuffer?
    }

    /// Largest body kept for a 200 (a bigger one fails the request).
    private let maxBodyBytes: Int
    /// The API's host, named in a failure.
    private let host: String
    /// Largest body kept for a 422, whose detail is only quoted.
    private static let maxDetailBytes = 64 * 1024
    // AHC calls the delegate on the request's event loop one call at a time; the Mutex is
    // uncontended and makes that a checked fact rather than an assumption.
    private let state = Mutex(State())

    /// `api.http_version: http2`: an answer over another version fails the check.
    private let requireHTTP2: Bool

    init(maxBodyBytes: Int, host: String, requireHTTP2: Bool = false) {
        self.maxBodyBytes = maxBodyBytes
        self.host = host
        self.requireHTTP2 = requireHTTP2
    }

    func didReceiveHead(task: HTTPClient.Task<CheckOutcome>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        if requireHTTP2, head.version.major != 2 {
            return task.eventLoop.makeFailedFuture(
                TransportError(
                    .http2NotOffered, host: host,
                    detail: "it answered in HTTP/\(head.version.major).\(head.version.minor)"))
        }
        state.withLock { state in
            state.status = Int(head.status.code)
            if state.status == 429 {
                state.retryAfter = head.headers.first(name: "retry-after")
                state.retryAfterMs = head.headers.first(name: "retry-after-ms")
            }
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<CheckOutcome>, _ part: ByteBuffer) -> EventLoopFuture<Void> {
        let tooBig = state.withLock { state -> Bool in
            let kept = state.body?.readableBytes ?? 0
            switch state.status {
            case 200:
                guard kept + part.readableBytes <= maxBodyBytes else { return true }
            case 422:
                guard kept + part.readableBytes <= Self.maxDetailBytes else { return false }
            default:
                // Other answers are judged by their status alone; the body is read and dropped
                // so the connection can be reused.
                return false
            }
            if state.body == nil {
                state.body = part
            } else {
                var part = part
                state.body!.writeBuffer(&part)
            }
            return false
        }
        if tooBig {
            return task.eventLoop.makeFailedFuture(
                TransportError(.bodyTooLarge, host: host, detail: "more than \(maxBodyBytes) bytes"))
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<CheckOutcome>) throws -> CheckOutcome {
        let state = self.state.withLock { $0 }
        switch state.status {
        case 200:
            do {
                let body = state.body ?? ByteBuffer()
                return .report(try StatusReport.parse(body.readableBytesView))
            } catch {
                return .failed(.malformedAnswer(error.description))
            }
        case 404:
            return .notFound
        case 401, 403:
            return .unauthorized(.refused(status: state.status))
        case 429:
            let seconds = RetryAfter.seconds(
                retryAfter: state.retryAfter, retryAfterMs: state.retryAfterMs, now: .now())
            return .rateLimited(retryAfter: seconds)
        case 422:
            return .failed(.httpStatus(422, detail: Self.detail(of: state.body)))
        default:
            return .failed(.httpStatus(state.status))
        }
    }

    /// A 422's first `detail[].msg`, for the operator.
    static func detail(of body: ByteBuffer?) -> String? {
        guard let body, let document = try? JSONParser.parse(body.readableBytesView),
            case .array(let details)? = document["detail"], let first = details.first,
            let message = first["msg"]?.stringValue
        else { return nil }
        return String(message.prefix(200))
    }
}
