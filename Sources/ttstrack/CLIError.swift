/// A failure the user sees as one plain line on standard error plus an exit status. Every way a
/// command can fail ends up here, so the exit statuses stay the documented ones:
/// 64 for bad usage, 69 when the daemon cannot be reached, 1 for everything else.
enum CLIError: Error {
    /// Bad usage the client caught itself, such as an invalid task id: exit 64 (`EX_USAGE`).
    case usage(String)
    /// The daemon could not be reached, or went away mid-call: exit 69 (`EX_UNAVAILABLE`).
    case unavailable(String)
    /// The daemon refused the call, or anything else went wrong: exit 1.
    case failed(String)

    var exitCode: Int32 {
        switch self {
        case .usage: 64
        case .unavailable: 69
        case .failed: 1
        }
    }

    /// The text after `ttstrack: `, always a single line.
    var message: String {
        let text: String
        switch self {
        case .usage(let value), .unavailable(let value), .failed(let value): text = value
        }
        return Self.oneLine(text)
    }

    /// Replaces line breaks and other control characters, so an error from the daemon or the
    /// input can never spread over several lines of standard error.
    static func oneLine(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            result.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar)
        }
        return result
    }
}

extension CLIError {
    /// `error` with `note` appended to its message, keeping its exit status.
    static func withNote(_ error: CLIError, _ note: String) -> CLIError {
        switch error {
        case .usage(let text): .usage("\(text); \(note)")
        case .unavailable(let text): .unavailable("\(text); \(note)")
        case .failed(let text): .failed("\(text); \(note)")
        }
    }
}
