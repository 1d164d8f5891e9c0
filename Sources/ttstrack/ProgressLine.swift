import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One line on a terminal, redrawn in place (carriage return, clear to the end of the line) at
/// most once per `interval`, however fast the news comes: the newest text is drawn, older
/// ones in between are skipped. ``end()`` clears it for good, before the command's own output.
final class ProgressLine: Sendable {
    private enum Phase {
        /// Nothing drawn yet: the first text is drawn at once.
        case blank
        /// Drawn last at this instant.
        case shown(at: ContinuousClock.Instant)
        /// A redraw is on its way (the interval since the last one had not passed); it draws
        /// whatever text is newest then.
        case scheduled
        /// Cleared; nothing is drawn any more.
        case ended
    }

    private struct State {
        var phase = Phase.blank
        var text = ""

        /// Takes in `text`; draws it when the interval allows, else returns how long until a
        /// scheduled draw should come (nil when none is to be scheduled).
        mutating func show(
            _ text: String, now: ContinuousClock.Instant, interval: Duration, on descriptor: Int32
        ) -> Duration? {
            self.text = text
            switch phase {
            case .ended, .scheduled:
                return nil
            case .blank:
                ProgressLine.draw(text, on: descriptor)
                phase = .shown(at: now)
                return nil
            case .shown(let at):
                let since = now - at
                guard since < interval else {
                    ProgressLine.draw(text, on: descriptor)
                    phase = .shown(at: now)
                    return nil
                }
                phase = .scheduled
                return interval - since
            }
        }

        /// Draws the newest text when a draw is scheduled.
        mutating func drawScheduled(now: ContinuousClock.Instant, on descriptor: Int32) {
            guard case .scheduled = phase else { return }
            ProgressLine.draw(text, on: descriptor)
            phase = .shown(at: now)
        }

        /// Clears what was drawn; nothing is drawn after.
        mutating func end(on descriptor: Int32) {
            switch phase {
            case .shown, .scheduled: ProgressLine.emit(ProgressLine.clear, on: descriptor)
            case .blank, .ended: break
            }
            phase = .ended
        }
    }

    private let state = Mutex(State())
    private let descriptor: Int32
    private let interval: Duration
    private let clock: ContinuousClock

    init(descriptor: Int32 = 2, interval: Duration = .milliseconds(100), clock: ContinuousClock = ContinuousClock()) {
        self.descriptor = descriptor
        self.interval = interval
        self.clock = clock
    }

    /// True when standard error is a terminal that can redraw a line in place: only then is the
    /// line readable. A `TERM=dumb` terminal (an editor's shell buffer) would show the escapes.
    static var standardErrorIsTerminal: Bool {
        guard isatty(2) == 1 else { return false }
        guard let term = getenv("TERM") else { return true }
        return String(cString: term) != "dumb"
    }

    /// Shows `text` now, or at the end of the current interval. Drawing happens under the lock,
    /// so no draw can come after ``end()``.
    func show(_ text: String) {
        let (now, interval, descriptor) = (clock.now, self.interval, self.descriptor)
        guard let delay = state.withLock({ $0.show(text, now: now, interval: interval, on: descriptor) }) else {
            return
        }
        Task {
            try? await self.clock.sleep(for: delay)
            self.drawScheduled()
        }
    }

    private func drawScheduled() {
        let (now, descriptor) = (clock.now, self.descriptor)
        state.withLock { $0.drawScheduled(now: now, on: descriptor) }
    }

    /// Clears the line (when one was drawn) and draws nothing after.
    func end() {
        let descriptor = self.descriptor
        state.withLock { $0.end(on: descriptor) }
    }

    /// Back to the start of the line, and erase to its end.
    fileprivate static let clear = "\r\u{1B}[K"

    /// Drawn within the terminal's width, so the line never wraps and `\r` always returns to
    /// its start.
    fileprivate static func draw(_ text: String, on descriptor: Int32) {
        var line = CLIError.oneLine(text)
        var size = winsize()
        if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 1, line.count >= Int(size.ws_col) {
            line = String(line.prefix(Int(size.ws_col) - 2)) + "…"
        }
        emit(clear + line, on: descriptor)
    }

    fileprivate static func emit(_ text: String, on descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            // A terminal that went away: the line is only a display, the command goes on.
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
