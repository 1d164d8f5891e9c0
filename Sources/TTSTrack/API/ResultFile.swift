import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One result being written: a temporary file in the results directory, written through a
/// thread pool (never on an event loop), that appears under its final name only once complete
/// (fsynced, renamed, the directory fsynced). A crash leaves at most a temporary file, which
/// ``removeLeftovers(in:)`` deletes at the next start.
///
/// `@unchecked Sendable` is safe: `descriptor` and the paths are immutable; the descriptor is
/// used by one write at a time (the delegate awaits each write's future before the next part)
/// and closed exactly once, by ``finish(as:)`` or ``discard()``, after the last write.
final class ResultFile: @unchecked Sendable {
    /// Temporary files end with this, and start with a dot, so no final name can clash.
    static let temporarySuffix = ".partial"

    let temporaryPath: String
    private let directory: String
    private let descriptor: Int32
    private let pool: NIOThreadPool

    /// Creates `directory` (mode 0750) if needed and opens a new temporary file in it (0640).
    static func create(in directory: String, for taskID: String, pool: NIOThreadPool) async throws -> ResultFile {
        try await pool.runIfActive {
            try ResultFile(directory: directory, taskID: taskID, pool: pool)
        }
    }

    private init(directory: String, taskID: String, pool: NIOThreadPool) throws {
        try Self.makeDirectory(directory)
        let path = "\(directory)/.\(taskID).\(UInt32.random(in: .min ... .max))\(Self.temporarySuffix)"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw Self.error("cannot create \(path)") }
        // The mode is not left to the umask: readable by the daemon's group, which local clients join.
        fchmod(fd, 0o640)
        self.temporaryPath = path
        self.directory = directory
        self.descriptor = fd
        self.pool = pool
    }

    /// Creates `directory` and the missing directories above it, each 0750: not left to the
    /// umask (the unit's is 0077), so the group may list and read results.
    private static func makeDirectory(_ directory: String) throws {
        if mkdir(directory, 0o750) == 0 {
            chmod(directory, 0o750)
            return
        }
        switch errno {
        case EEXIST: return
        case ENOENT:
            let parent = String(directory[..<(directory.lastIndex(of: "/") ?? directory.startIndex)])
            guard !parent.isEmpty, parent != directory else { throw Self.error("cannot create \(directory)") }
            try makeDirectory(parent)
            guard mkdir(directory, 0o750) == 0 || errno == EEXIST else {
                throw Self.error("cannot create \(directory)")
            }
            chmod(directory, 0o750)
        default:
            throw Self.error("cannot create \(directory)")
        }
    }

    /// Appends `buffer`; the future completes once it is written.
    func write(_ buffer: ByteBuffer, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let fd = descriptor
        return pool.runIfActive(eventLoop: eventLoop) {
            try buffer.withUnsafeReadableBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw Self.error("cannot write the result")
                    }
                    offset += written
                }
            }
        }
    }

    /// Makes the file durable under `name` in its directory.
    func finish(as name: String) async throws -> String {
        let final = "\(directory)/\(name)"
        let (fd, temporary, directory) = (descriptor, temporaryPath, self.directory)
        try await pool.runIfActive {
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw Self.error("cannot sync \(temporary)") }
            guard rename(temporary, final) == 0 else { throw Self.error("cannot rename to \(final)") }
            let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard dir >= 0 else { throw Self.error("cannot open \(directory)") }
            defer { close(dir) }
            guard fsync(dir) == 0 else { throw Self.error("cannot sync \(directory)") }
        }
        return final
    }

    /// Closes and removes the temporary file (a failed or abandoned attempt).
    func discard() async {
        let (fd, temporary) = (descriptor, temporaryPath)
        try? await pool.runIfActive {
            close(fd)
            unlink(temporary)
        }
    }

    /// Deletes the temporary files a crash or a stop left in `directory`; returns how many.
    @discardableResult
    static func removeLeftovers(in directory: String) -> Int {
        guard let dir = opendir(directory) else { return 0 }
        defer { closedir(dir) }
        var removed = 0
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            guard name.hasPrefix("."), name.hasSuffix(temporarySuffix) else { continue }
            if unlink("\(directory)/\(name)") == 0 { removed += 1 }
        }
        return removed
    }

    private static func error(_ what: String) -> ResultFailure {
        .storage("\(what): \(String(cString: strerror(errno)))")
    }
}

/// `write(2)`, named apart from ``ResultFile/write(_:on:)``.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
