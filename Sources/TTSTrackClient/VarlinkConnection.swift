import NIOCore
import NIOPosix
import TTSTrackWire

#if canImport(Glibc)
import Glibc
private let systemClose = Glibc.close
#elseif canImport(Musl)
import Musl
private let systemClose = Musl.close
#endif

/// One Varlink connection to the daemon. Varlink answers the calls of a connection in order,
/// so calls are queued to one task that owns the channel: it writes a call, reads its replies
/// (several for a `more` call) and only then takes the next call.
final class VarlinkConnection: Sendable {
    /// One decoded reply.
    struct Reply: Sendable {
        var parameters: [String: JSONValue]
        var continues: Bool
        var error: VarlinkError?
    }

    /// A call waiting to be written, and where its replies go.
    private struct Request: Sendable {
        let message: [UInt8]
        let replies: AsyncThrowingStream<Reply, any Error>.Continuation
    }

    let path: String
    private let requests: AsyncStream<Request>.Continuation
    private let channel: any Channel

    /// Replies far larger than any limit of the daemon's: a `Get` of 100,000 ids is a few tens
    /// of MiB. The bound only keeps a broken peer from using up memory.
    static let maxReplySize = 1 << 30

    /// Connects to the socket at `path`. The connect is the plain system call, so a failure
    /// reads as `strerror` says it (and an `@name` path reaches an abstract socket).
    init(path: String) async throws(TrackerClientError) {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .unreachable(path: path, reason: String(cString: strerror(errno))) }
        guard let address = UnixSocketAddress(path: path) else {
            _ = systemClose(fd)
            throw .unreachable(path: path, reason: "path too long")
        }
        guard address.connect(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = systemClose(fd)
            throw .unreachable(path: path, reason: reason)
        }
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .withConnectedSocket(fd) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(
                                VarlinkFrameDecoder(maxMessageSize: Self.maxReplySize, partialTimer: nil)))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw .unreachable(path: path, reason: "\(error)")
        }
        self.channel = channel.channel
        let (stream, continuation) = AsyncStream.makeStream(of: Request.self)
        requests = continuation
        Task { await Self.serve(channel, path: path, requests: stream, continuation: continuation) }
    }

    deinit {
        requests.finish()
    }

    /// Ends the connection; calls still queued fail as disconnected.
    func close() {
        requests.finish()
        channel.close(promise: nil)
    }

    /// Sends a call and returns its replies: one, or for `more` every reply up to the one
    /// without `continues`. An error reply is the last element.
    func call(
        _ method: String, _ parameters: [String: JSONValue], more: Bool = false
    ) -> AsyncThrowingStream<Reply, any Error> {
        var message: [String: JSONValue] = ["method": .string(method), "parameters": .object(parameters)]
        if more { message["more"] = true }
        let (replies, continuation) = AsyncThrowingStream.makeStream(of: Reply.self)
        if more {
            let channel = self.channel
            continuation.onTermination = { termination in
                // A reader that stops early (a `Watch` no longer iterated) ends the connection,
                // which is the only way to end a `more` call.
                if case .cancelled = termination { channel.close(promise: nil) }
            }
        }
        let request = Request(message: VarlinkReply.frame(.object(message)), replies: continuation)
        if case .terminated = requests.yield(request) {
            continuation.finish(throwing: TrackerClientError.disconnected(path: path))
        }
        return replies
    }

    /// Sends a call and returns its single reply; an error reply is thrown.
    func callOnce(
        _ method: String, _ parameters: [String: JSONValue] = [:]
    ) async throws(TrackerClientError) -> [String: JSONValue] {
        let reply: Reply
        do {
            var iterator = call(method, parameters).makeAsyncIterator()
            guard let first = try await iterator.next() else { throw TrackerClientError.disconnected(path: path) }
            reply = first
        } catch let error as TrackerClientError {
            throw error
        } catch {
            throw .disconnected(path: path)
        }
        if let error = reply.error { throw TrackerClientError(error) }
        return reply.parameters
    }

    /// The task that owns the channel: writes each call, then hands its replies over.
    private static func serve(
        _ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, path: String, requests: AsyncStream<Request>,
        continuation: AsyncStream<Request>.Continuation
    ) async {
        var current: Request?
        var failure: TrackerClientError = .disconnected(path: path)
        do {
            try await channel.executeThenClose { inbound, outbound in
                var frames = inbound.makeAsyncIterator()
                for await request in requests {
                    current = request
                    try await outbound.write(channel.channel.allocator.buffer(bytes: request.message))
                    while true {
                        guard let frame = try await frames.next() else { throw ConnectionEnded() }
                        let reply: Reply
                        do throws(TrackerClientError) {
                            reply = try decode(frame)
                        } catch {
                            failure = error
                            throw error
                        }
                        request.replies.yield(reply)
                        if !reply.continues || reply.error != nil { break }
                    }
                    request.replies.finish()
                    current = nil
                }
            }
        } catch {}
        continuation.finish()
        current?.replies.finish(throwing: failure)
        for await request in requests { request.replies.finish(throwing: failure) }
    }

    private struct ConnectionEnded: Error {}

    /// A reply message: an object with `parameters`, and `continues` or `error`.
    static func decode(_ frame: ByteBuffer) throws(TrackerClientError) -> Reply {
        let document: JSONValue
        do {
            document = try JSONParser.parse(frame.readableBytesView)
        } catch {
            throw .invalidReply(error.description)
        }
        guard case .object(let fields) = document else { throw .invalidReply("reply is not an object") }
        var reply = Reply(parameters: [:], continues: false, error: nil)
        if case .object(let values)? = fields["parameters"] { reply.parameters = values }
        if case .bool(true)? = fields["continues"] { reply.continues = true }
        if case .string(let name)? = fields["error"] { reply.error = VarlinkError(name, reply.parameters) }
        return reply
    }
}
