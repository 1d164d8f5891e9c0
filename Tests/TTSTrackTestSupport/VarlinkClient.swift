package import TTSTrackWire

#if canImport(Glibc)
import Glibc
private let systemSend = Glibc.send
private let systemReceive = Glibc.recv
private let systemShutdown = Glibc.shutdown
#elseif canImport(Musl)
import Musl
private let systemSend = Musl.send
private let systemReceive = Musl.recv
private let systemShutdown = Musl.shutdown
#endif

/// A small blocking Varlink client over a Unix socket, for tests and benchmarks, which need to
/// send raw bytes, half-close and pipeline. One call at a time, or several pipelined with
/// ``send(_:)`` and ``receive()``. Programs use `TTSTrackClient` instead.
package final class VarlinkClient {
    package enum ClientError: Error, CustomStringConvertible, Equatable {
        /// The socket could not be reached; `path` is what was tried.
        case unreachable(path: String, reason: String)
        case closed
        /// Nothing came within the receive timeout (``setReceiveTimeout(_:)``).
        case timedOut
        case protocolError(String)
        /// The daemon answered with an error.
        case remote(VarlinkError)

        package var description: String {
            switch self {
            case .unreachable(let path, let reason): "cannot reach ttstrackd at \(path): \(reason)"
            case .closed: "the daemon closed the connection"
            case .timedOut: "no reply within the receive timeout"
            case .protocolError(let text): "protocol error: \(text)"
            case .remote(let error):
                "\(error.name)\(error.parameters.isEmpty ? "" : " \(JSONValue.object(error.parameters).jsonText)")"
            }
        }
    }

    /// One reply.
    package struct Reply: Sendable {
        package var parameters: [String: JSONValue]
        package var continues: Bool
        package var error: VarlinkError?
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    /// Where `recv` writes, reused: one allocation per client, not per reply.
    private var chunk = [UInt8](repeating: 0, count: 65536)
    /// The socket, for a caller that polls many clients at once (e.g. the `add1` benchmark).
    package var descriptor: Int32 { fd }
    package let path: String

    package init(path: String) throws(ClientError) {
        self.path = path
        fd = try Self.connectedDescriptor(path: path)
    }

    /// A bare connection to `path` (close-on-exec), for a caller that only needs a peer to
    /// exist, e.g. a connection waiting to be served; the caller closes it.
    package static func connectedDescriptor(path: String) throws(ClientError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .unreachable(path: path, reason: String(cString: strerror(errno))) }
        guard let address = UnixSocketAddress(path: path) else {
            close(fd)
            throw .unreachable(path: path, reason: "path too long")
        }
        let result = address.connect(fd)
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .unreachable(path: path, reason: reason)
        }
        return fd
    }

    deinit {
        close(fd)
    }

    /// Calls `method` and returns the reply's parameters; an error reply is thrown as `.remote`.
    package func call(
        _ method: String, _ parameters: [String: JSONValue] = [:]
    ) throws(ClientError) -> [String: JSONValue] {
        try send(method, parameters)
        let reply = try receive()
        if let error = reply.error { throw .remote(error) }
        return reply.parameters
    }

    /// Sends a call without waiting for its reply.
    package func send(
        _ method: String, _ parameters: [String: JSONValue] = [:], more: Bool = false, oneway: Bool = false
    )
        throws(ClientError)
    {
        var message: [String: JSONValue] = ["method": .string(method), "parameters": .object(parameters)]
        if more { message["more"] = true }
        if oneway { message["oneway"] = true }
        try sendRaw(VarlinkReply.frame(.object(message)))
    }

    /// Sends bytes as they are (tests use it for garbage).
    package func sendRaw(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                systemSend(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .closed
            }
            offset += written
        }
    }

    /// Bytes sent that the daemon has not read from the socket yet (`SIOCOUTQ`), so a test can
    /// wait until what it sent has been taken.
    package var unreadBytes: Int {
        var pending: Int32 = 0
        _ = ioctl(fd, UInt(TIOCOUTQ), &pending)
        return Int(pending)
    }

    /// Stops sending (half-close); replies can still be read.
    package func shutdownWrite() {
        _ = systemShutdown(fd, Int32(SHUT_WR))
    }

    /// Reads the next reply.
    package func receive() throws(ClientError) -> Reply {
        let frame = try receiveFrame()
        let document: JSONValue
        do {
            document = try JSONParser.parse(frame)
        } catch {
            throw .protocolError(error.description)
        }
        guard case .object(let fields) = document else { throw .protocolError("reply is not an object") }
        var parameters: [String: JSONValue] = [:]
        if case .object(let values)? = fields["parameters"] { parameters = values }
        var reply = Reply(parameters: parameters, continues: false, error: nil)
        if case .bool(true)? = fields["continues"] { reply.continues = true }
        if case .string(let name)? = fields["error"] { reply.error = VarlinkError(name, parameters) }
        return reply
    }

    /// The next NUL-terminated message, without its NUL.
    package func receiveFrame() throws(ClientError) -> [UInt8] {
        var searchFrom = 0
        while true {
            if let nul = buffer[searchFrom...].firstIndex(of: 0) {
                let frame = Array(buffer[..<nul])
                buffer.removeSubrange(...nul)
                return frame
            }
            searchFrom = buffer.count
            let count = chunk.withUnsafeMutableBytes { systemReceive(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw .timedOut }
            guard count > 0 else { throw .closed }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    /// Sets how long a receive may block (seconds); 0 blocks forever.
    package func setReceiveTimeout(_ seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }
}
