import NIOCore
import NIOPosix
import Synchronization

/// A small HTTP proxy for tests, on loopback: answers `CONNECT host:port` by opening a tunnel
/// to it, and records each target and the `Proxy-Authorization` it came with. With
/// `requiredAuthorization` set, any other (or no) credentials get `407`. Anything but CONNECT
/// gets `405`.
public final class ConnectProxy: Sendable {
    /// One CONNECT as the proxy saw it.
    public struct Request: Sendable, Equatable {
        public let target: String
        public let authorization: String?

        public init(target: String, authorization: String?) {
            self.target = target
            self.authorization = authorization
        }
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel = Mutex<(any Channel)?>(nil)
    private let seen = Mutex<[Request]>([])
    let requiredAuthorization: String?

    /// - Parameter requiredAuthorization: e.g. `Basic dXNlcjpwdw==`; `nil` lets everyone through.
    public init(requiredAuthorization: String? = nil) {
        self.requiredAuthorization = requiredAuthorization
    }

    /// Listens on an ephemeral port of 127.0.0.1.
    public func start() async throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectProxyFrontHandler(proxy: self))
                }
            }
        let bound = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        channel.withLock { $0 = bound }
    }

    public var port: Int { channel.withLock { $0?.localAddress?.port ?? 0 } }

    /// `http://127.0.0.1:PORT`, with `credentials` (`user:pass`) when given.
    public func url(credentials: String? = nil) -> String {
        "http://\(credentials.map { "\($0)@" } ?? "")127.0.0.1:\(port)"
    }

    /// Every CONNECT received, in order.
    public func requests() -> [Request] { seen.withLock { $0 } }

    func record(_ request: Request) { seen.withLock { $0.append(request) } }

    public func shutdown() async throws {
        let bound = channel.withLock { $0 }
        try? await bound?.close()
        try await group.shutdownGracefully()
    }
}
