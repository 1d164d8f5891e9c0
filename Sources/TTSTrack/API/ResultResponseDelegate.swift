import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// Receives one result answer on the connection's event loop: audio goes straight into a
/// ``ResultFile`` part by part (each part written before the next is read, so memory stays
/// flat whatever the size); a JSON result, and the body of an error answer, are kept in memory
/// up to a cap. Every limit fails the request at once, before the rest is read.
final class ResultResponseDelegate: HTTPClientResponseDelegate {
    /// What came back, for ``CambClient/fetchResult(kind:runID:taskID:into:maxBytes:)`` to judge.
    enum Received {
        /// 200 with audio, all of it in the file.
        case audio(bytes: Int64, contentType: String?)
        /// 200 with a JSON document (a JSON result, or JSON where audio was expected).
        case json(ByteBuffer, contentType: String?)
        /// Any other status.
        case status(Int, retryAfter: String?, retryAfterMs: String?, detail: ByteBuffer?)
    }

    private enum Mode {
        case waitingForHead
        case toFile
        case inMemory(limit: Int)
        case status(Int, retryAfter: String?, retryAfterMs: String?)
    }

    private struct State {
        var mode = Mode.waitingForHead
        var contentType: String?
        var bytes: Int64 = 0
        var body: ByteBuffer?
    }

    /// JSON results and error bodies are kept up to this; audio has no such cap but `maxBytes`.
    static let maxInMemoryBytes = 64 << 20
    private static let maxDetailBytes = 64 * 1024

    private let endpoint: ResultEndpoint
    private let file: ResultFile?
    private let maxBytes: Int64
    // AHC calls the delegate on the request's event loop one call at a time; the Mutex is
    // uncontended and makes that a checked fact rather than an assumption.
    private let state = Mutex(State())

    /// - Parameter file: where audio goes; nil for a JSON endpoint.
    init(endpoint: ResultEndpoint, file: ResultFile?, maxBytes: Int64) {
        self.endpoint = endpoint
        self.file = file
        self.maxBytes = maxBytes
    }

    func didReceiveHead(task: HTTPClient.Task<Received>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock { state in
            state.contentType = head.headers.first(name: "content-type")
            let status = Int(head.status.code)
            if status != 200 {
                state.mode = .status(
                    status, retryAfter: head.headers.first(name: "retry-after"),
                    retryAfterMs: head.headers.first(name: "retry-after-ms"))
            } else if endpoint.body == .audio && !ResultEndpoint.isJSON(contentType: state.contentType) {
                state.mode = .toFile
            } else {
                state.mode = .inMemory(limit: Int(min(maxBytes, Int64(Self.maxInMemoryBytes))))
            }
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Received>, _ part: ByteBuffer) -> EventLoopFuture<Void> {
        enum Next {
            case write
            case done
            case fail(ResultFailure)
        }
        let next = state.withLock { state -> Next in
            state.bytes += Int64(part.readableBytes)
            let limit: Int
            switch state.mode {
            case .waitingForHead: return .done
            case .toFile:
                return state.bytes > maxBytes ? .fail(.tooLarge(max: maxBytes)) : .write
            case .inMemory(let cap):
                if state.bytes > maxBytes { return .fail(.tooLarge(max: maxBytes)) }
                if state.bytes > Int64(cap) {
                    return .fail(.storage("a JSON result over \(cap) bytes is not kept"))
                }
                limit = cap
            case .status:
                limit = Self.maxDetailBytes
            }
            // Kept up to the limit; the rest of an error body is read and dropped, so the
            // connection can be reused.
            guard (state.body?.readableBytes ?? 0) + part.readableBytes <= limit else { return .done }
            if state.body == nil {
                state.body = part
            } else {
                var part = part
                state.body!.writeBuffer(&part)
            }
            return .done
        }
        switch next {
        case .done: return task.eventLoop.makeSucceededVoidFuture()
        case .fail(let failure): return task.eventLoop.makeFailedFuture(failure)
        case .write:
            guard let file else { return task.eventLoop.makeFailedFuture(ResultFailure.storage("no file to write")) }
            return file.write(part, on: task.eventLoop)
        }
    }

    func didFinishRequest(task: HTTPClient.Task<Received>) throws -> Received {
        let state = self.state.withLock { $0 }
        switch state.mode {
        case .waitingForHead: throw ResultFailure.emptyBody
        case .toFile: return .audio(bytes: state.bytes, contentType: state.contentType)
        case .inMemory: return .json(state.body ?? ByteBuffer(), contentType: state.contentType)
        case .status(let status, let retryAfter, let retryAfterMs):
            return .status(status, retryAfter: retryAfter, retryAfterMs: retryAfterMs, detail: state.body)
        }
    }
}
