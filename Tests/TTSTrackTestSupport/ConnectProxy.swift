import NIOCore
import NIOPosix
import Synchronization

/// A small HTTP proxy for tests, on loopback: answers `CONNECT host:port` by opening a tunnel
/// to it, and records each target and the `Proxy-Authorization` it came with. With
/// `requiredAuthorization` set, any other (or no) credentials get `407`. Anything but CONNECT
/// gets `405`.
public final class ConnectProxy: Sendable {
    /// One CONNECT as the proxy saw it.
    public struct Request: Sendable, Equatable {
        public let target: String
        public let authorization: String?

        public init(target: String, authorization: String?) {
            self.target = target
            self.authorization = authorization
        }
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel = Mutex<(any Channel)?>(nil)
    private let seen = Mutex<[Request]>([])
    let requiredAuthorization: String?

    /// - Parameter requiredAuthorization: e.g. `Basic dXNlcjpwdw==`; `nil` lets everyone through.
    public init(requiredAuthorization: String? = nil) {
        self.requiredAuthorization = requiredAuthorization
    }

    /// Listens on an ephemeral port of 127.0.0.1.
    public func start() async throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectProxyFrontHandler(proxy: self))
                }
            }
        let bound = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        channel.withLock { $0 = bound }
    }

    public var port: Int { channel.withLock { $0?.localAddress?.port ?? 0 } }

    /// `http://127.0.0.1:PORT`, with `credentials` (`user:pass`) when given.
    public func url(credentials: String? = nil) -> String {
        "http://\(credentials.map { "\($0)@" } ?? "")127.0.0.1:\(port)"
    }

    /// Every CONNECT received, in order.
    public func requests() -> [Request] { seen.withLock { $0 } }

    func record(_ request: Request) { seen.withLock { $0.append(request) } }

    public func shutdown() async throws {
        let bound = channel.withLock { $0 }
        try? await bound?.close()
        try await group.shutdownGracefully()
    }
}

/// The client's side of one proxied connection: reads the CONNECT head, then passes bytes on
/// to the target. Only on its channel's event loop (the target's connection uses the same
/// loop), so it needs no locking.
final class ConnectProxyFrontHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let proxy: ConnectProxy
    private var head = ByteBuffer()
    private var peer: (any Channel)?
    private var tunnelling = false

    init(proxy: ConnectProxy) {
        self.proxy = proxy
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = unwrapInboundIn(data)
        if tunnelling {
            peer?.writeAndFlush(part, promise: nil)
            return
        }
        // A client sends nothing after its CONNECT head before the proxy's 200.
        head.writeBuffer(&part)
        let text = String(buffer: head)
        guard let end = text.range(of: "\r\n\r\n") else { return }
        tunnelling = true
        let lines = text[..<end.lowerBound].split(separator: "\r\n", omittingEmptySubsequences: false)
        let requestLine = lines.first?.split(separator: " ") ?? []
        var authorization: String?
        for line in lines.dropFirst() {
            if let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "proxy-authorization" {
                authorization = String(line[line.index(after: colon)...].drop { $0 == " " })
            }
        }
        guard requestLine.count >= 2, requestLine[0] == "CONNECT" else {
            respond("405 Method Not Allowed", context: context, close: true)
            return
        }
        let target = String(requestLine[1])
        proxy.record(ConnectProxy.Request(target: target, authorization: authorization))
        if let required = proxy.requiredAuthorization, authorization != required {
            respond(
                "407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"", context: context,
                close: true)
            return
        }
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else {
            respond("400 Bad Request", context: context, close: true)
            return
        }
        var host = String(target[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let front = context.channel
        ClientBootstrap(group: context.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectProxyBackHandler(front: front))
                }
            }
            .connect(host: host, port: port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    self.peer = channel
                    self.respond("200 Connection established", context: context, close: false)
                case .failure:
                    self.respond("502 Bad Gateway", context: context, close: true)
                }
            }
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(_ status: String, context: ChannelHandlerContext, close: Bool) {
        let text = "HTTP/1.1 \(status)\r\n\(close ? "Content-Length: 0\r\nConnection: close\r\n" : "")\r\n"
        let written = context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)))
        if close { written.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }
}

/// The target's side of one tunnel: passes its bytes back to the client.
final class ConnectProxyBackHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let front: any Channel

    init(front: any Channel) {
        self.front = front
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        front.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        front.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
