package import Logging
import Metrics
package import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
package import TTSTrackWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Serves Varlink on a Unix stream socket. Each connection is its own task: a bad or slow
/// client can only hurt itself. Calls on one connection are answered in order (pipelining).
public final class VarlinkServer: Sendable {
    public struct Limits: Sendable {
        /// A message larger than this closes the connection (16 MiB, as the interface promises).
        public var maxMessageSize = 16 << 20
        /// Connections at once; more are accepted and closed at once.
        public var maxConnections = 1024
        /// A message still incomplete after this long closes its connection.
        public var partialMessageTimeout: Duration = .seconds(30)
        /// Who may call methods (checked with `SO_PEERCRED`).
        public var access = PeerAccess()
        public init() {}
    }

    package typealias Handler = @Sendable (VarlinkCall, VarlinkResponder) async throws -> Void

    /// Thrown by a handler to end its connection once what it wrote is on the socket (a
    /// `Watch` that is over: the caller hung up, or it fell behind and got its last error).
    package struct EndConnection: Error {
        package init() {}
    }

    private let handler: Handler
    private let limits: Limits
    private let logger: Logger
    private let group: any EventLoopGroup
    private let connections = Atomic<Int>(0)
    /// For `/metrics`: connections open now, and accepted in all.
    private let openConnections = Meter(label: MetricsCatalog.controlConnections)
    private let acceptedConnections = Counter(label: MetricsCatalog.controlConnectionsTotal)

    package init(
        limits: Limits = Limits(), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
        handler: @escaping Handler
    ) {
        self.handler = handler
        self.limits = limits
        self.logger = logger
        self.group = group
    }

    /// Binds (or adopts) the socket, then serves until graceful shutdown or cancellation.
    /// - Parameter onListening: called once the socket accepts connections.
    public func run(_ target: ListenTarget, onListening: @Sendable () async -> Void = {}) async throws {
        let maxMessageSize = limits.maxMessageSize
        let partialTimeout = TimeAmount(limits.partialMessageTimeout)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // Until the connection's task takes it (see ``AcceptedChannel``).
            .childChannelOption(.autoRead, value: false)
        let access = limits.access
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Connection> = { channel in
            Self.peerPermitted(channel, access).flatMapThrowing { permitted in
                let hangUp = HangUpSignal()
                let closed = HangUpSignal()
                let timer = PartialMessageTimer(timeout: partialTimeout)
                try channel.pipeline.syncOperations.addHandler(
                    ByteToMessageHandler(VarlinkFrameDecoder(maxMessageSize: maxMessageSize, partialTimer: timer)))
                try channel.pipeline.syncOperations.addHandler(ReadDemandHandler(timer: timer))
                try channel.pipeline.syncOperations.addHandler(HangUpHandler(hangUp: hangUp, closed: closed))
                return Connection(
                    accepted: try AcceptedChannel(channel, configuration: .init(isOutboundHalfClosureEnabled: false)),
                    hangUp: hangUp, closed: closed, permitted: permitted)
            }
        }
        let server: NIOAsyncChannel<Connection, Never>
        switch target {
        case .path(let path, let mode):
            server = try await bootstrap.bind(
                unixDomainSocketPath: path, cleanupExistingSocketFile: false, childChannelInitializer: initializer)
            if chmod(path, mode_t(mode)) != 0 {
                logger.warning("Cannot set the socket's mode", metadata: ["ttstrack.socket": "\(path)"])
            }
        case .inherited(let fd):
            server = try await bootstrap.bind(fd, childChannelInitializer: initializer)
        }
        await onListening()
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await connection in inbound.cancelOnGracefulShutdown() {
                    if connections.add(1, ordering: .relaxed).newValue > limits.maxConnections {
                        connections.subtract(1, ordering: .relaxed)
                        logger.warning("Too many connections; closing a new one")
                        connection.accepted.close()
                        continue
                    }
                    let executor = EventLoopTaskExecutor(connection.accepted.channel.eventLoop)
                    acceptedConnections.increment()
                    openConnections.increment()
                    group.addTask(executorPreference: executor) {
                        await self.serve(connection)
                        self.connections.subtract(1, ordering: .relaxed)
                        self.openConnections.decrement()
                    }
                }
            }
            group.cancelAll()
        }
    }

    struct Connection: Sendable {
        let accepted: AcceptedChannel<ByteBuffer, ByteBuffer>
        let hangUp: HangUpSignal
        let closed: HangUpSignal
        /// False: every call is answered with `PermissionDenied`.
        let permitted: Bool
    }

    /// Checks the peer's credentials; a peer whose credentials cannot be read is refused
    /// when access is restricted.
    private static func peerPermitted(_ channel: any Channel, _ access: PeerAccess) -> EventLoopFuture<Bool> {
        guard !access.isOpen else { return channel.eventLoop.makeSucceededFuture(true) }
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(false)
        }
        // `struct ucred { pid_t pid; uid_t uid; gid_t gid; }` (hidden behind _GNU_SOURCE, so not
        // imported): three 32-bit fields, read as a homogeneous tuple of the same layout.
        let credentials: EventLoopFuture<(UInt32, UInt32, UInt32)> = provider.unsafeGetSocketOption(
            level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET), name: NIOBSDSocket.Option(rawValue: SO_PEERCRED))
        return credentials.map { access.permits(uid: $0.1, gid: $0.2) }.recover { _ in false }
    }

    /// Closing a connection drops what the socket has not taken yet: a `Watch` that fell behind
    /// would lose its final `WatchOverflow` error, written last. So close the output first,
    /// which NIO does once the pending writes are on the socket, and give a client that does
    /// not read `limit` for that before the connection is closed anyway.
    private static func flushBeforeClosing(_ channel: any Channel, within limit: Duration) async {
        let flushed = channel.eventLoop.makePromise(of: Void.self)
        channel.close(mode: .output, promise: flushed)
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(limit)) {
            channel.close(promise: nil)
        }
        _ = try? await flushed.futureResult.get()
        deadline.cancel()
    }

    private func serve(_ connection: Connection) async {
        do {
            try await connection.accepted.open().executeThenClose { inbound, outbound in
                let allocator = connection.accepted.channel.allocator
                for try await message in inbound {
                    guard let decoded = decode(message) else { return }
                    let call: VarlinkCall
                    switch decoded {
                    case .success(let value) where !connection.permitted:
                        if !value.oneway {
                            try await outbound.write(
                                allocator.buffer(bytes: VarlinkReply.encode(error: .permissionDenied)))
                        }
                        continue
                    case .success(let value): call = value
                    case .failure(let error):
                        try await outbound.write(allocator.buffer(bytes: VarlinkReply.encode(error: error)))
                        continue
                    }
                    let responder = VarlinkResponder(
                        oneway: call.oneway, hangUp: connection.hangUp, closed: connection.closed
                    ) { bytes in
                        try await outbound.write(allocator.buffer(bytes: bytes))
                    }
                    do {
                        try await handler(call, responder)
                    } catch is EndConnection {
                        await Self.flushBeforeClosing(
                            connection.accepted.channel, within: limits.partialMessageTimeout)
                        return
                    }
                }
            }
        } catch let gone as AcceptedChannel<ByteBuffer, ByteBuffer>.Gone {
            await makeOnewayCalls(gone.sent, of: connection)
        } catch {
            logger.debug("Connection ended", metadata: ["ttstrack.error": "\(error)"])
        }
    }

    /// A message as a call, or as the error its reply is; nil for garbage, which ends the
    /// connection.
    private func decode(_ message: ByteBuffer) -> Result<VarlinkCall, VarlinkError>? {
        do {
            return try VarlinkCall.decode(message.readableBytesView)
        } catch {
            logger.debug("Closing a connection that sent garbage", metadata: ["ttstrack.error": "\(error)"])
            return nil
        }
    }

    /// A client may send one-way calls and close its connection at once, before the connection
    /// is served: those calls are still made (in order), as on a connection served already.
    /// The other calls are not: nobody is left to read their replies.
    private func makeOnewayCalls(_ messages: [ByteBuffer], of connection: Connection) async {
        guard connection.permitted else { return }
        let discard = VarlinkResponder(oneway: true, hangUp: connection.hangUp, closed: connection.closed) { _ in }
        for message in messages {
            guard let decoded = decode(message) else { return }
            guard case .success(let call) = decoded, call.oneway else { continue }
            do {
                try await handler(call, discard)
            } catch {
                logger.debug("Connection ended", metadata: ["ttstrack.error": "\(error)"])
                return
            }
        }
    }
}
