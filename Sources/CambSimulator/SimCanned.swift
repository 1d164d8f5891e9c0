import NIOCore
import NIOHTTP1

/// Response bodies and header sets that never change, built once so the hot paths
/// (`alwaysPending`, 401, 404) only bump reference counts instead of encoding.
enum SimCanned {
    static let pendingBody = ByteBuffer(
        string: #"{"status": "PENDING", "run_id": null, "exception_reason": null, "message": null}"#
    )
    static let pendingHeaders = jsonHeaders(length: pendingBody.readableBytes)

    static let unauthorizedBody = ByteBuffer(string: #"{"detail":"Invalid API key"}"#)
    static let unauthorizedHeaders = jsonHeaders(length: unauthorizedBody.readableBytes)

    static let notFoundBody = ByteBuffer(string: #"{"detail":"Not Found"}"#)
    static let notFoundHeaders = jsonHeaders(length: notFoundBody.readableBytes)

    static let methodNotAllowedBody = ByteBuffer(string: #"{"detail":"Method Not Allowed"}"#)
    static let methodNotAllowedHeaders = jsonHeaders(length: methodNotAllowedBody.readableBytes)

    static let malformedBody = ByteBuffer(string: #"{"status": "PEND"#)
    static let wrongTypesBody = ByteBuffer(string: #"{"status":"SUCCESS","run_id":"12"}"#)
    static let missingStatusBody = ByteBuffer(string: #"{"run_id": null}"#)
    static let invalidUTF8Body: ByteBuffer = {
        var buffer = ByteBuffer(string: #"{"status": ""#)
        buffer.writeBytes([0xFF, 0xFE, 0xC3, 0x28, 0xA0, 0xA1])
        buffer.writeString(#""}"#)
        return buffer
    }()

    /// The start of a `hugeBody` response, padded with `paddingChunk` bytes and closed
    /// by `hugeSuffix` so large bodies remain valid JSON.
    static let hugePrefix = ByteBuffer(string: #"{"status": "PENDING", "padding": ""#)
    static let hugeSuffix = ByteBuffer(string: #""}"#)
    /// 64 KiB of `a`, sliced (not copied) for every chunk of a `hugeBody`.
    static let paddingChunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: 64 * 1024)

    /// A fragment of a status body sent by `resetMidBody` before closing.
    static let resetFragment = ByteBuffer(string: #"{"status": "PENDING", "run_id": nu"#)
    /// The content length `resetMidBody` announces but never delivers.
    static let resetDeclaredLength = 1000

    static func jsonHeaders(length: Int) -> HTTPHeaders {
        HTTPHeaders([("content-type", "application/json"), ("content-length", String(length))])
    }
}
