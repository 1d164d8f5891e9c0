public import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal to hand a child process as its standard error (or output), so that the
/// child's `isatty` says yes, as in a person's terminal; everything the child writes to it is
/// collected, byte for byte (raw mode: no newline translation), by a thread of its own, so the
/// child never blocks on a full terminal buffer.
public final class PseudoTerminal: Sendable {
    /// The terminal's side, for the child. Closed by ``closeTerminalSide()`` once the child has it.
    public let terminal: FileHandle
    private let controller: Int32
    private let terminalDescriptor: Int32
    private let received = Mutex<[UInt8]>([])
    private let readerEnded = Atomic<Bool>(false)

    /// Opens a terminal of `columns` × `rows`.
    public init(columns: UInt16 = 100, rows: UInt16 = 24) throws {
        var controller: Int32 = -1
        var terminal: Int32 = -1
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&controller, &terminal, nil, nil, &size) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        var settings = termios()
        tcgetattr(terminal, &settings)
        cfmakeraw(&settings)
        tcsetattr(terminal, TCSANOW, &settings)
        // Not inherited by other children that tests start meanwhile: then the end of this
        // child is the end of the terminal.
        _ = fcntl(controller, F_SETFD, FD_CLOEXEC)
        _ = fcntl(terminal, F_SETFD, FD_CLOEXEC)
        self.controller = controller
        self.terminalDescriptor = terminal
        self.terminal = FileHandle(fileDescriptor: terminal, closeOnDealloc: false)
        Thread.detachNewThread { [self] in readUntilClosed() }
    }

    private func readUntilClosed() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(controller, $0.baseAddress, $0.count) }
            if count > 0 {
                received.withLock { $0.append(contentsOf: buffer[0..<count]) }
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                // EIO: every descriptor of the terminal's side is closed.
                break
            }
        }
        readerEnded.store(true, ordering: .releasing)
    }

    /// What the child wrote so far.
    public var text: String { String(decoding: received.withLock { $0 }, as: UTF8.self) }

    /// Closes this process's copy of the terminal's side; call it once the child is started,
    /// so the terminal ends when the child does.
    public func closeTerminalSide() {
        close(terminalDescriptor)
    }

    /// Waits until everything the child wrote has been read (the child has exited and
    /// ``closeTerminalSide()`` was called); returns it.
    public func finish(timeout: Duration = .seconds(10)) async throws -> String {
        try await eventually(timeout: timeout, "the terminal's reader ended") {
            self.readerEnded.load(ordering: .acquiring)
        }
        return text
    }

    deinit {
        close(controller)
    }
}
