package import Logging
package import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `metrics.listen`: a small HTTP/1.1 server with one resource, `GET /metrics`, in the
/// Prometheus text format (version 0.0.4). Anything else is 404, another method 405. Bound
/// before the daemon starts its services, so a bad address or a port in use stops the start
/// with a clear message instead of failing later.
package final class MetricsServer: Sendable {
    private typealias Connection = AcceptedChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    /// Where it listens, as bound.
    package let address: MetricsListenAddress
    private let channel: NIOAsyncChannel<Connection, Never>
    private let scrape: @Sendable () async -> [UInt8]
    private let logger: Logger
    /// Connections being served now (see ``maxConnections``).
    private let openConnections = Atomic<Int>(0)

    /// The content type of the Prometheus text exposition format.
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A listening socket that cannot be had.
    package struct BindError: Error, CustomStringConvertible {
        package let description: String
    }

    private init(
        address: MetricsListenAddress, channel: NIOAsyncChannel<Connection, Never>,
        scrape: @escaping @Sendable () async -> [UInt8], logger: Logger
    ) {
        self.address = address
        self.channel = channel
        self.scrape = scrape
        self.logger = logger
    }

    /// Binds `address`; `scrape` produces each answer to `GET /metrics`.
    /// - Parameter idleTimeout: a connection that sends nothing for this long is closed.
    package static func bind(
        _ address: MetricsListenAddress, group: any EventLoopGroup, logger: Logger,
        idleTimeout: TimeAmount = .seconds(60),
        scrape: @escaping @Sendable () async -> [UInt8]
    ) async throws -> MetricsServer {
        let channel: NIOAsyncChannel<Connection, Never>
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                // Until the connection's task takes it (see ``AcceptedChannel``).
                .childChannelOption(.autoRead, value: false)
                .bind(host: address.host, port: address.port) { child in
                    child.eventLoop.makeCompletedFuture {
                        // A quiet connection is closed (Prometheus scrapes every 15 s or so, on a
                        // connection it keeps alive, well within the default minute).
                        try child.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                        try child.pipeline.syncOperations.addHandler(CloseOnIdleHandler())
                        try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try Connection(child)
                    }
                }
        } catch let error as IOError {
            throw BindError(
                description: "cannot listen for metrics on \(address) (metrics.listen): "
                    + "\(String(cString: strerror(error.errnoCode))); stop what uses it or choose another address")
        } catch {
            throw BindError(
                description: "cannot listen for metrics on \(address) (metrics.listen): \(error); "
                    + "use an address of this host")
        }
        return MetricsServer(address: address, channel: channel, scrape: scrape, logger: logger)
    }

    /// At most this many connections are served at once; one more is closed at once.
    package static let maxConnections = 32

    /// Serves until graceful shutdown (or cancellation); open connections close then too.
    package func run() async throws {
        logger.info("Serving metrics", metadata: ["ttstrack.metrics": "\(address)"])
        try await withThrowingDiscardingTaskGroup { group in
            try await channel.executeThenClose { inbound in
                for try await connection in inbound.cancelOnGracefulShutdown() {
                    guard openConnections.add(1, ordering: .relaxed).newValue <= Self.maxConnections else {
                        openConnections.subtract(1, ordering: .relaxed)
                        connection.close()
                        continue
                    }
                    group.addTask {
                        await self.serve(connection)
                        self.openConnections.subtract(1, ordering: .relaxed)
                    }
                }
            }
            group.cancelAll()
        }
    }

    private func serve(_ connection: Connection) async {
        do {
            try await connection.open().executeThenClose { inbound, outbound in
                var request: HTTPRequestHead?
                for try await part in inbound.cancelOnGracefulShutdown() {
                    switch part {
                    case .head(let head): request = head
                    case .body: continue
                    case .end:
                        guard let head = request else { continue }
                        request = nil
                        try await answer(head, outbound)
                        if !head.isKeepAlive { return }
                    }
                }
            }
        } catch {
            logger.debug("Metrics connection ended", metadata: ["ttstrack.error": "\(error)"])
        }
    }

    private func answer(
        _ head: HTTPRequestHead, _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    )
        async throws
    {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var headers = HTTPHeaders()
        let status: HTTPResponseStatus
        let body: [UInt8]
        if path != "/metrics" {
            status = .notFound
            body = Array("Not found: metrics are at /metrics.\n".utf8)
            headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        } else if head.method != .GET && head.method != .HEAD {
            status = .methodNotAllowed
            body = Array("Only GET is served at /metrics.\n".utf8)
            headers.add(name: "content-type", value: "text/plain; charset=utf-8")
            headers.add(name: "allow", value: "GET, HEAD")
        } else {
            status = .ok
            body = await scrape()
            headers.add(name: "content-type", value: Self.contentType)
        }
        headers.add(name: "content-length", value: "\(body.count)")
        if !head.isKeepAlive { headers.add(name: "connection", value: "close") }
        try await outbound.write(.head(HTTPResponseHead(version: head.version, status: status, headers: headers)))
        if head.method != .HEAD {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
        }
        try await outbound.write(.end(nil))
    }
}
