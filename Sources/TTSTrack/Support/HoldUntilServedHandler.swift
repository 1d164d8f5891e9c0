import NIOCore

/// Keeps what a connection receives before the task that serves it takes it over.
///
/// Reading is off until then (see ``AcceptedChannel``), but NIO still drains the socket when the
/// peer half-closes or hangs up: a client that sends its calls and closes its side at once would
/// otherwise have them pass the end of the pipeline unread, and wait for replies for ever. This
/// handler sits last, holds those reads and events in order, and replays them into the async
/// handler when it is removed, right after that handler was added. What it can hold is bounded by
/// what the socket held when the peer stopped sending.
final class HoldUntilServedHandler<Inbound>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Inbound
    typealias InboundOut = Inbound

    private enum Held {
        case read(NIOAny)
        case readComplete
        case event(Any)
    }

    private var held: [Held] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        held.append(.read(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        held.append(.readComplete)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        held.append(.event(event))
    }

    func removeHandler(context: ChannelHandlerContext, removalToken: ChannelHandlerContext.RemovalToken) {
        let replay = held
        held = []
        for item in replay {
            switch item {
            case .read(let data): context.fireChannelRead(data)
            case .readComplete: context.fireChannelReadComplete()
            case .event(let event): context.fireUserInboundEventTriggered(event)
            }
        }
        context.leavePipeline(removalToken: removalToken)
    }
}
