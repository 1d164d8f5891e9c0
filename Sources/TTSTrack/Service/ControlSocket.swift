import TTSTrackWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Makes the socket path ready to bind without ever stealing a live daemon's socket: a lock
/// file beside it is held for the daemon's life, and a socket file that still answers is
/// refused; only a dead one is removed.
public final class ControlSocket: Sendable {
    public struct Refused: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let path: String
    private let lockDescriptor: Int32

    /// Creates missing parent directories (not world-writable), takes the lock, clears a stale file.
    public init(path: String) throws {
        self.path = path
        let directory = Self.parent(of: path)
        try Self.makeDirectories(directory)
        let lockPath = path + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw Refused(description: "cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw Refused(
                description: "another ttstrackd is serving \(path) (\(lockPath) is locked); refusing to start")
        }
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFSOCK else {
                close(fd)
                throw Refused(description: "\(path) exists and is not a socket; refusing to replace it")
            }
            if Self.answers(path) {
                close(fd)
                throw Refused(description: "another process is listening on \(path); refusing to start")
            }
            unlink(path)
        }
        self.lockDescriptor = fd
    }

    deinit {
        close(lockDescriptor)
    }

    /// Removes the socket file (at shutdown).
    public func removeSocketFile() {
        unlink(path)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    static func makeDirectories(_ directory: String) throws {
        var info = stat()
        if stat(directory, &info) == 0 { return }
        let parent = parent(of: directory)
        if parent != directory { try makeDirectories(parent) }
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw Refused(description: "cannot create \(directory): \(String(cString: strerror(errno)))")
        }
    }

    /// True when something accepts connections on the socket at `path`.
    static func answers(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard let address = UnixSocketAddress(path: path) else { return false }
        let result = address.connect(fd)
        return result == 0
    }
}
