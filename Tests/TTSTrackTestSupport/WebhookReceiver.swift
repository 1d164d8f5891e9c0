import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A webhook endpoint for tests and the benchmark, on loopback: records every request (headers,
/// body, arrival), answers as scripted (a status, after a delay, or never), and keeps the most
/// requests it ever held unanswered at once, so tests can check the daemon's concurrency.
public final class WebhookReceiver: Sendable {
    /// One request as it arrived.
    public struct Request: Sendable {
        /// Header names in lower case.
        public let headers: [String: String]
        public let body: [UInt8]
        public let at: ContinuousClock.Instant
        /// The same moment on the wall clock, in Unix seconds: to compare with the daemon's times.
        public let wallClock: Double
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
        public var id: String? { headers["webhook-id"] }
    }

    /// How one request is answered.
    public enum Answer: Sendable, Equatable {
        case status(Int)
        /// The status, after the delay.
        case delayed(Duration, Int)
        /// No answer at all: the client's timeout has to end it.
        case hang
        /// The status line and headers promise a body, then the connection is closed mid-body.
        case headThenClose(Int)
        /// The status line and headers promise a body, a little of it comes, then nothing more,
        /// the connection left open.
        case headThenStall(Int)
    }

    private struct State {
        var requests: [Request] = []
        var script: [Answer] = []
        var fallback: Answer
        var inFlight = 0
        var maxInFlight = 0
        var answered: [Int: Int] = [:]
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel = Mutex<(any Channel)?>(nil)
    private let state: Mutex<State>

    /// - Parameter answer: how requests are answered once the script (see ``script(_:)``) is used up.
    public init(answer: Answer = .status(200)) {
        state = Mutex(State(fallback: answer))
    }

    /// Listens on an ephemeral port of 127.0.0.1.
    public func start() async throws {
        let bound = try await bootstrap().bind(host: "127.0.0.1", port: 0).get()
        channel.withLock { $0 = bound }
    }

    /// ``start()`` for a caller that is not async (the benchmark).
    public func startBlocking() throws {
        let bound = try bootstrap().bind(host: "127.0.0.1", port: 0).wait()
        channel.withLock { $0 = bound }
    }

    private func bootstrap() -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(WebhookReceiverHandler(receiver: self))
                }
            }
    }

    public var port: Int { channel.withLock { $0?.localAddress?.port ?? 0 } }

    /// The URL to configure as `webhooks.url`.
    public var url: String { "http://127.0.0.1:\(port)/hooks/ttstrack" }

    /// The next requests are answered so, in order; then as the fallback.
    public func script(_ answers: [Answer]) { state.withLock { $0.script = answers } }

    /// How requests are answered once the script is used up.
    public func setAnswer(_ answer: Answer) { state.withLock { $0.fallback = answer } }

    /// Every request received, in order of arrival.
    public func requests() -> [Request] { state.withLock { $0.requests } }

    /// The most requests held unanswered at once so far.
    public var maxInFlight: Int { state.withLock { $0.maxInFlight } }

    /// Requests answered with a 2xx status.
    public var delivered: Int {
        state.withLock { $0.answered.filter { (200..<300).contains($0.key) }.values.reduce(0, +) }
    }

    /// Records a complete request and picks its answer.
    func received(_ request: Request) -> Answer {
        state.withLock { state in
            state.requests.append(request)
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            return state.script.isEmpty ? state.fallback : state.script.removeFirst()
        }
    }

    /// A request was answered (`status`) or its connection closed unanswered (nil).
    func finished(status: Int?) {
        state.withLock { state in
            state.inFlight -= 1
            if let status { state.answered[status, default: 0] += 1 }
        }
    }

    public func shutdown() async throws {
        let bound = channel.withLock { $0 }
        try? await bound?.close()
        try await group.shutdownGracefully()
    }

    /// ``shutdown()`` for a caller that is not async (the benchmark).
    public func shutdownBlocking() {
        let bound = channel.withLock { $0 }
        try? bound?.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// One connection to the receiver: collects each request, then answers it as the receiver says.
/// Only on its channel's event loop, so it needs no locking.
final class WebhookReceiverHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let receiver: WebhookReceiver
    private var headers: [String: String] = [:]
    private var body: [UInt8] = []
    /// A request received and not yet answered.
    private var open = false

    init(receiver: WebhookReceiver) {
        self.receiver = receiver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            headers = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            body = []
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            open = true
            let answer = receiver.received(
                WebhookReceiver.Request(
                    headers: headers, body: body, at: .now, wallClock: Date().timeIntervalSince1970))
            switch answer {
            case .status(let status):
                respond(status, context: context)
            case .delayed(let delay, let status):
                let loop = context.eventLoop.assumeIsolated()
                loop.scheduleTask(
                    in: TimeAmount.nanoseconds(
                        Int64(delay.components.seconds) * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000)
                ) {
                    self.respond(status, context: context)
                }
            case .hang:
                break
            case .headThenClose(let status):
                answerHeadAndPartOfBody(status, context: context)
                context.close(promise: nil)
            case .headThenStall(let status):
                answerHeadAndPartOfBody(status, context: context)
            }
        }
    }

    /// A head that promises 1,000 bytes of body, and the first few of them.
    private func answerHeadAndPartOfBody(_ status: Int, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        open = false
        receiver.finished(status: status)
        var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status))
        head.headers.add(name: "content-length", value: "1000")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "cut")))), promise: nil)
    }

    private func respond(_ status: Int, context: ChannelHandlerContext) {
        guard open, context.channel.isActive else { return }
        open = false
        receiver.finished(status: status)
        let text = "answered \(status)\n"
        var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status))
        head.headers.add(name: "content-length", value: String(text.utf8.count))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if open {
            open = false
            receiver.finished(status: nil)
        }
        context.fireChannelInactive()
    }
}
