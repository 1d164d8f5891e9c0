package import NIOCore

/// Tells a ``PartialMessageTimer`` whether the channel wants bytes: from each `read` the
/// handlers behind it ask for until that read completes. It sits between the frame decoder
/// and whatever consumes the messages.
package final class ReadDemandHandler: ChannelDuplexHandler {
    package typealias InboundIn = ByteBuffer
    package typealias InboundOut = ByteBuffer
    package typealias OutboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    private let timer: PartialMessageTimer

    package init(timer: PartialMessageTimer) {
        self.timer = timer
    }

    package func read(context: ChannelHandlerContext) {
        timer.readWanted = true
        context.read()
    }

    package func channelReadComplete(context: ChannelHandlerContext) {
        timer.readWanted = false
        context.fireChannelReadComplete()
    }
}
