import NIOCore
import NIOPosix

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
