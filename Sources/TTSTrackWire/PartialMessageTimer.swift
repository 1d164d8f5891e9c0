package import NIOCore

/// Disconnects a peer that started a message and stalled, counting only the time the channel
/// wants its bytes: while the daemon holds off reading (its backpressure, when a slow call such
/// as a long `Wait` has later calls queued behind it), the rest of a message may sit unread in
/// the socket through no fault of the peer's, and the timer starts over instead of firing.
///
/// Bound to its channel's event loop: the decoder starts and cancels it, and
/// ``ReadDemandHandler`` tells it when reads are asked for and when they are done.
package final class PartialMessageTimer {
    let timeout: TimeAmount
    private var scheduled: Scheduled<Void>?
    /// True while a read is asked for and not yet done.
    var readWanted = true

    package init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    /// Starts the timer for a partial message, unless it runs already.
    func start(context: ChannelHandlerContext) {
        guard scheduled == nil else { return }
        arm(context: context)
    }

    func cancel() {
        scheduled?.cancel()
        scheduled = nil
    }

    private func arm(context: ChannelHandlerContext) {
        scheduled = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            if self.readWanted {
                self.scheduled = nil
                context.close(promise: nil)
            } else {
                self.arm(context: context)
            }
        }
    }
}
