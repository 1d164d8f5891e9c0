import NIOCore
import Synchronization

/// A connection a server socket accepted, on its way to the task that serves it.
///
/// Accepted connections wait in the listening socket's async sequence until the accept loop
/// takes them. When graceful shutdown ends that loop, NIO drops what still waits there; had the
/// connection been wrapped in its `NIOAsyncChannel` already, dropping its unfinished writer
/// would trap the process (NIO's writer insists on `finish()`, which only `executeThenClose`
/// calls). So the channel waits unwrapped, with reading off (the server's `autoRead` child
/// option is false) and what arrives anyway held (``HoldUntilServedHandler``), and this box
/// closes it when it is dropped without being served: a client that connects during shutdown
/// sees its connection closed, and the daemon exits cleanly.
final class AcceptedChannel<Inbound: Sendable, Outbound: Sendable>: Sendable {
    let channel: any Channel
    private let configuration: NIOAsyncChannel<Inbound, Outbound>.Configuration
    private let taken = Atomic(false)
    /// What the peer sent before it went away, while it waited to be served.
    private let orphans = HoldUntilServedHandler<Inbound>.Orphans()

    /// Called by the child channel initializer, on the channel's loop, once its pipeline is
    /// complete: adds the handler that holds early reads last.
    init(_ channel: any Channel, configuration: NIOAsyncChannel<Inbound, Outbound>.Configuration = .init()) throws {
        try channel.pipeline.syncOperations.addHandler(HoldUntilServedHandler<Inbound>(orphans: orphans))
        self.channel = channel
        self.configuration = configuration
    }

    deinit {
        if !taken.load(ordering: .acquiring) { channel.close(promise: nil) }
    }

    /// Thrown by ``open()`` when the peer went away before the connection was served.
    struct Gone: Error {
        /// What it had sent (a client may send one-way calls and close at once).
        let sent: [Inbound]
    }

    /// Wraps the channel for async use and starts reading from it; once only.
    func open() async throws -> NIOAsyncChannel<Inbound, Outbound> {
        precondition(!taken.exchange(true, ordering: .acquiringAndReleasing), "a connection is opened once")
        let channel = self.channel
        let configuration = self.configuration
        let orphans = self.orphans
        return try await channel.eventLoop.submit {
            // On the channel's loop nothing can close it between this check and the wrapping. A
            // closed channel's pipeline refuses the handler, and NIO would then drop the writer
            // it made for it unfinished, which traps. Reading starts on a later turn of the
            // loop, after the held reads are replayed, so turning it on first loses nothing;
            // nothing can fail once the wrapper exists (removing a handler does not throw).
            let pipeline = channel.pipeline.syncOperations
            let hold = try? pipeline.handler(type: HoldUntilServedHandler<Inbound>.self)
            guard channel.isActive, let options = channel.syncOptions, let hold else {
                // Torn down already, the handler gave what it held to `orphans` as it left.
                hold?.orphanWhatIsHeld()
                channel.close(promise: nil)
                throw Gone(sent: orphans.take())
            }
            try options.setOption(.autoRead, value: true)
            let async = try NIOAsyncChannel<Inbound, Outbound>(
                wrappingChannelSynchronously: channel, configuration: configuration)
            pipeline.removeHandler(hold, promise: nil)
            return async
        }.get()
    }

    /// Closes a connection that will not be served.
    func close() {
        taken.store(true, ordering: .releasing)
        channel.close(promise: nil)
    }
}
