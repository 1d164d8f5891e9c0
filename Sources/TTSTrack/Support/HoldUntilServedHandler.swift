import NIOCore
import Synchronization

/// Keeps what a connection receives before the task that serves it takes it over.
///
/// Reading is off until then (see ``AcceptedChannel``), but NIO still drains the socket when the
/// peer half-closes or hangs up: a client that sends its calls and closes its side at once would
/// otherwise have them pass the end of the pipeline unread, and wait for replies for ever. This
/// handler sits last, holds those reads and events in order, and replays them into the async
/// handler when it is removed, right after that handler was added. What it can hold is bounded by
/// what the socket held when the peer stopped sending. Should the connection go away before it
/// is served, the reads it held are left in ``Orphans`` (the peer may have sent one-way calls).
/// Generic over what the pipeline reads at this point, to unwrap those reads and for the
/// pipeline to find it by type.
final class HoldUntilServedHandler<Inbound: Sendable>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Inbound
    typealias InboundOut = Inbound

    /// Reads of a connection that went away unserved, handed from its loop to whoever serves it.
    final class Orphans: Sendable {
        private let reads = Mutex<[Inbound]>([])

        func add(_ more: [Inbound]) { reads.withLock { $0.append(contentsOf: more) } }

        func take() -> [Inbound] {
            reads.withLock { reads in
                defer { reads = [] }; return reads
            }
        }
    }

    private enum Held {
        case read(NIOAny)
        case readComplete
        case event(Any)
    }

    private var held: [Held] = []
    private let orphans: Orphans

    init(orphans: Orphans) { self.orphans = orphans }

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

    /// The pipeline is torn down (the connection closed) before it was served, or after.
    func handlerRemoved(context: ChannelHandlerContext) {
        orphanWhatIsHeld()
    }

    /// Moves the reads held to ``Orphans``, for a connection that will not be served.
    func orphanWhatIsHeld() {
        let reads = held.compactMap { item -> Inbound? in
            if case .read(let data) = item { return unwrapInboundIn(data) }
            return nil
        }
        held = []
        if !reads.isEmpty { orphans.add(reads) }
    }
}
