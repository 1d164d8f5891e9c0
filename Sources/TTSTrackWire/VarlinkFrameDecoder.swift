package import NIOCore

/// Splits the byte stream into NUL-terminated messages. A message longer than `maxMessageSize`
/// fails the channel as soon as that many bytes are buffered, so no client can make the daemon
/// hold more than that for one message.
///
/// A peer that starts a message and stalls is disconnected by `partialTimer` (the daemon
/// sets one; a client waiting on the daemon does not); a connection with nothing half-sent may
/// stay open as long as it likes. Both sides frame with it, so they agree on what a message is.
package struct VarlinkFrameDecoder: ByteToMessageDecoder {
    package typealias InboundOut = ByteBuffer

    let maxMessageSize: Int
    let partialTimer: PartialMessageTimer?
    private var scanned = 0

    package init(maxMessageSize: Int, partialTimer: PartialMessageTimer?) {
        self.maxMessageSize = maxMessageSize
        self.partialTimer = partialTimer
    }

    package struct MessageTooLarge: Error {}

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        let start = view.startIndex + scanned
        if let nul = view[start...].firstIndex(of: 0) {
            let length = nul - view.startIndex
            let message = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            scanned = 0
            partialTimer?.cancel()
            context.fireChannelRead(Self.wrapInboundOut(message))
            return .continue
        }
        scanned = view.count
        if view.count > maxMessageSize { throw MessageTooLarge() }
        if view.count > 0 { partialTimer?.start(context: context) }
        return .needMoreData
    }

    package mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws
        -> DecodingState
    {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A partial message at EOF is dropped: it was never a call.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        partialTimer?.cancel()
        return .needMoreData
    }
}
