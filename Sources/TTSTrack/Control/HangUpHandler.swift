import NIOCore

/// Notices when the peer stops sending (EOF) or the connection goes away (`hangUp`, for
/// `Watch`), and when it goes away only (`closed`, for `Wait`: a client that shut its writing
/// side after the call may still read the reply; one that exited is gone, since on a Unix socket
/// the peer's close hangs the connection up both ways, which closes the channel).
final class HangUpHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let hangUp: HangUpSignal
    let closed: HangUpSignal

    init(hangUp: HangUpSignal, closed: HangUpSignal) {
        self.hangUp = hangUp
        self.closed = closed
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            hangUp.fire()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        hangUp.fire()
        closed.fire()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        hangUp.fire()
        closed.fire()
        context.fireErrorCaught(error)
    }
}
