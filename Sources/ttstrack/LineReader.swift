#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Lines from a file descriptor, read in 64 KiB chunks: fast enough for a million ids on
/// standard input, and bounded in memory, since a line longer than `maxLine` bytes is
/// reported as such instead of being collected.
struct LineReader {
    enum Line {
        case text(String)
        /// The line has more than `maxLine` bytes; it was skipped.
        case tooLong
    }

    private let descriptor: Int32
    private let maxLine: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    private var skipping = false

    init(descriptor: Int32 = 0, maxLine: Int = 4096) {
        self.descriptor = descriptor
        self.maxLine = maxLine
    }

    /// The next line without its line break; `nil` at the end of the input. A read error
    /// ends the input too.
    mutating func next() -> Line? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = buffer[start..<newline]
                start = newline + 1
                if skipping {
                    skipping = false
                    return .tooLong
                }
                return .text(String(decoding: line, as: UTF8.self))
            }
            if buffer.count - start > maxLine {
                // Drop what we have of an overlong line and skip to its end.
                skipping = true
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            if finished {
                guard start < buffer.count || skipping else { return nil }
                let line = buffer[start...]
                start = buffer.count
                if skipping {
                    skipping = false
                    return .tooLong
                }
                return .text(String(decoding: line, as: UTF8.self))
            }
            fill()
        }
    }

    private mutating func fill() {
        if start > 0 {
            buffer.removeSubrange(..<start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                finished = true
            } else {
                buffer.append(contentsOf: chunk[0..<count])
            }
            return
        }
    }
}
