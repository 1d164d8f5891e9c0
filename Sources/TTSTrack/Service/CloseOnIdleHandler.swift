import NIOCore

/// Closes a connection that said nothing for the `IdleStateHandler`'s time before it: a scraper
/// that went away (or someone holding sockets open) does not keep a descriptor forever.
final class CloseOnIdleHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
