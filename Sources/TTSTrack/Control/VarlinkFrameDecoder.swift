import NIOCore

/// Splits the byte stream into NUL-terminated messages. A message longer than `maxMessageSize`
/// fails the channel as soon as that many bytes are buffered, so no client can make the daemon
/// hold more than that for one message.
///
/// A client that starts a message and stalls is disconnected after `partialTimeout`; a
/// connection with nothing half-sent may stay open as long as it likes.
struct VarlinkFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maxMessageSize: Int
    let partialTimeout: TimeAmount
    private var scanned = 0
    private var timeout: Scheduled<Void>?

    init(maxMessageSize: Int, partialTimeout: TimeAmount) {
        self.maxMessageSize = maxMessageSize
        self.partialTimeout = partialTimeout
    }

    struct MessageTooLarge: Error {}

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        let start = view.startIndex + scanned
        if let nul = view[start...].firstIndex(of: 0) {
            let length = nul - view.startIndex
            let message = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            scanned = 0
            timeout?.cancel()
            timeout = nil
            context.fireChannelRead(Self.wrapInboundOut(message))
            return .continue
        }
        scanned = view.count
        if view.count > maxMessageSize { throw MessageTooLarge() }
        if view.count > 0 && timeout == nil {
            timeout = context.eventLoop.assumeIsolated().scheduleTask(in: partialTimeout) {
                context.close(promise: nil)
            }
        }
        return .needMoreData
    }

    mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws
        -> DecodingState
    {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A partial message at EOF is dropped: it was never a call.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        timeout?.cancel()
        timeout = nil
        return .needMoreData
    }
}

/// Notices when the peer stops sending (EOF) or the connection goes away, for `Watch`.
final class HangUpHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let signal: HangUpSignal

    init(signal: HangUpSignal) { self.signal = signal }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            signal.fire()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        signal.fire()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        signal.fire()
        context.fireErrorCaught(error)
    }
}
