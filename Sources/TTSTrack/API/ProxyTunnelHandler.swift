import NIOCore

/// Opens a tunnel through an HTTP proxy on a fresh connection: sends `CONNECT host:port`,
/// reads the proxy's answer head, and once it is `200` removes itself and completes
/// ``established``; any other answer fails it. Only ``CertificateDiagnosis`` uses it: the status
/// requests themselves go through AsyncHTTPClient's own proxy support.
///
/// Lives on the channel's event loop only (NIO's handler contract), so it needs no locking.
final class ProxyTunnelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let established: EventLoopPromise<Void>
    private let target: String
    private let authorization: String?
    private var received = ByteBuffer()
    private var done = false
    private var sent = false

    /// The largest answer head read before giving up.
    private static let maxHeadBytes = 16 * 1024

    init(target: String, authorization: String?, established: EventLoopPromise<Void>) {
        self.target = target
        self.authorization = authorization
        self.established = established
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendConnect(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendConnect(context: context)
        context.fireChannelActive()
    }

    private func sendConnect(context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        var head = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n"
        if let authorization { head += "Proxy-Authorization: \(authorization)\r\n" }
        head += "\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: head)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else {
            context.fireChannelRead(data)
            return
        }
        var part = unwrapInboundIn(data)
        received.writeBuffer(&part)
        let bytes = received.readableBytesView
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else {
            if bytes.count > Self.maxHeadBytes { finish(context: context, ok: false) }
            return
        }
        // "HTTP/1.1 200 Connection established"
        let statusLine = bytes[..<end.lowerBound].split(separator: UInt8(ascii: "\r")).first ?? []
        let fields = statusLine.split(separator: UInt8(ascii: " "))
        let ok = fields.count >= 2 && Array(fields[1]) == Array("200".utf8)
        finish(context: context, ok: ok)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done { finish(context: context, ok: false) }
        context.fireChannelInactive()
    }

    /// A connection that never became active (refused, timed out) removes its handlers without
    /// `channelInactive`: the promise must still be completed.
    func handlerRemoved(context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        established.fail(ChannelError.inputClosed)
    }

    private func finish(context: ChannelHandlerContext, ok: Bool) {
        done = true
        if ok {
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
            established.succeed()
        } else {
            established.fail(ChannelError.inputClosed)
            context.close(promise: nil)
        }
    }
}
