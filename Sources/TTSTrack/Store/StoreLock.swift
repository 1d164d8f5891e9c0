#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a file beside the database: one daemon per store. The kernel drops
/// the lock when the process dies, so a crashed daemon never leaves a stale lock behind.
final class StoreLock: Sendable {
    private let descriptor: Int32
    let path: String

    init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            if code == EROFS || code == EACCES {
                let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
                    .joined(separator: "/")
                throw TaskStoreError(
                    "the store directory \(directory.isEmpty ? "." : directory) is not writable "
                        + "(\(String(cString: strerror(code)))); store.path must be on a writable file system, "
                        + "writable by the daemon's user")
            }
            throw TaskStoreError("cannot open lock file \(path): \(String(cString: strerror(code)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK {
                throw TaskStoreError(
                    "another ttstrackd is already using this store (\(path) is locked); refusing to start")
            }
            throw TaskStoreError("cannot lock \(path): \(String(cString: strerror(code)))")
        }
        self.descriptor = fd
        self.path = path
    }

    deinit {
        close(descriptor)
    }
}
