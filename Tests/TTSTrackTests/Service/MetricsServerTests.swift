import Logging
import NIOCore
import NIOPosix
import TTSTrackTestSupport
import Testing

@testable import TTSTrack

#if canImport(Glibc)
import Glibc
#endif

/// The metrics endpoint keeps no descriptor for a client that went quiet, and serves a bounded
/// number of connections at once, so whoever reaches `metrics.listen` cannot starve the daemon.
@Suite struct MetricsServerTests {
    /// Runs a server on a free loopback port for `body`, then stops it.
    static func withServer(
        idleTimeout: TimeAmount, _ body: (Int) async throws -> Void
    ) async throws {
        let port = try freeLoopbackPort()
        let server = try await MetricsServer.bind(
            try MetricsListenAddress(parsing: "127.0.0.1:\(port)"), group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "test"), idleTimeout: idleTimeout
        ) { Array("ttstrack_up 1\n".utf8) }
        let running = Task { try await server.run() }
        defer { running.cancel() }
        try await body(port)
    }

    /// A blocking TCP connection to 127.0.0.1:`port` that gives up reading after 10 s.
    static func connect(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(connected == 0, "connect: \(errno)")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// What the server sends until it closes (or the 10 s read timeout), as text.
    static func readUntilClosed(_ fd: Int32) -> (text: String, closed: Bool) {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { return (String(decoding: bytes, as: UTF8.self), true) }
            if count < 0 {
                if errno == EINTR { continue }
                return (String(decoding: bytes, as: UTF8.self), false)
            }
            bytes.append(contentsOf: buffer.prefix(count))
        }
    }

    @Test func aConnectionThatSaysNothingIsClosed() async throws {
        try await Self.withServer(idleTimeout: .milliseconds(200)) { port in
            let fd = try Self.connect(port)
            defer { close(fd) }
            let started = ContinuousClock.now
            let (text, closed) = Self.readUntilClosed(fd)
            #expect(closed && text.isEmpty, "the server closes a quiet connection")
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test func connectionsBeyondTheLimitAreClosedAndTheOthersServed() async throws {
        try await Self.withServer(idleTimeout: .seconds(30)) { port in
            var held: [Int32] = []
            defer { for fd in held { close(fd) } }
            for _ in 0..<MetricsServer.maxConnections { held.append(try Self.connect(port)) }
            let extra = try Self.connect(port)
            defer { close(extra) }
            let (text, closed) = Self.readUntilClosed(extra)
            #expect(closed && text.isEmpty, "one over the limit is closed at once")

            let request = Array("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
            #expect(send(held[0], request, request.count, 0) == request.count)
            let answer = Self.readUntilClosed(held[0])
            #expect(answer.text.hasPrefix("HTTP/1.1 200 OK") && answer.text.hasSuffix("ttstrack_up 1\n"), "\(answer)")
        }
    }
}
