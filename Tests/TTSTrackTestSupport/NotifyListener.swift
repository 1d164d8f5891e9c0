import Foundation
import Synchronization
import TTSTrackWire

#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket to pass as `$NOTIFY_SOCKET`: records what the daemon tells systemd.
public final class NotifyListener: Sendable {
    public struct Message: Sendable {
        public let at: ContinuousClock.Instant
        public let text: String
    }

    public let path: String
    private let fd: Int32
    private let messages = Mutex<[Message]>([])

    public init(directory: String) throws {
        path = "\(directory)/notify.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let result = UnixSocketAddress(path: path)?.bind(fd) ?? -1
        guard result == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        self.fd = fd
        Thread.detachNewThread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard count > 0, let self else { return }
                let text = String(decoding: buffer[0..<count], as: UTF8.self)
                self.messages.withLock { $0.append(Message(at: .now, text: text)) }
            }
        }
    }

    /// Everything received so far, in order.
    public var received: [Message] { messages.withLock { $0 } }

    /// Waits until a message satisfies `match`; returns it, or nil after `timeout`.
    public func waitFor(timeout: Duration = .seconds(30), _ match: @Sendable (String) -> Bool) async -> Message? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = received.first(where: { match($0.text) }) { return found }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    deinit {
        Glibc.shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
