#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Buffered text output on a file descriptor through `write(2)`. The C `stdout`/`stderr`
/// globals are off limits under strict concurrency, and a `list --all` of a million tasks
/// needs buffering; `watch` calls ``flush()`` after every line so a pipe sees events at once.
final class TextOutput {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity = 64 * 1024

    init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.reserveCapacity(capacity)
    }

    /// Standard output.
    static func standardOutput() -> TextOutput { TextOutput(descriptor: 1) }

    deinit { flush() }

    /// Appends `text` followed by a newline.
    func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        if buffer.count >= capacity { flush() }
    }

    /// Appends `text` as it is.
    func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= capacity { flush() }
    }

    /// Writes out what is buffered. A closed pipe ends the process by `SIGPIPE`, as for any
    /// Unix filter; when the parent ignores `SIGPIPE`, or on any other write error, the
    /// process exits 1 with one line on standard error, rather than run on (`watch`) with
    /// nowhere to write.
    func flush() {
        guard !buffer.isEmpty else { return }
        let failure = Self.writeAll(buffer, to: descriptor)
        buffer.removeAll(keepingCapacity: true)
        if let failure {
            if failure == EPIPE { ProcessSignals.dieOfClosedPipe() }
            Self.errorLine("ttstrack: cannot write output: \(String(cString: strerror(failure)))")
            TTSTrackCommand.terminate(1)
        }
    }

    /// One line on standard error, unbuffered, in a single `write(2)`.
    static func errorLine(_ text: String) {
        _ = writeAll(Array((text + "\n").utf8), to: 2)
    }

    /// Writes every byte; the `errno` of a failed write, or nil.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress, raw.count)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }
}
