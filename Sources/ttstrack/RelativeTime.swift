import TTSTrackWire

/// Times as people read them in a table: "3 s ago", "2 min ago", "in 4 s". One unit, rounded
/// down, so a column stays narrow; the exact RFC 3339 times are in `--json`.
enum RelativeTime {
    /// `time` relative to `now`: "now" within a second, else "N unit ago" or "in N unit".
    static func describe(_ time: Timestamp, now: Timestamp) -> String {
        let seconds = time.seconds(since: now)
        if abs(seconds) < 1 { return "now" }
        let amount = roughly(abs(seconds))
        return seconds < 0 ? "\(amount) ago" : "in \(amount)"
    }

    /// `seconds` in its largest whole unit: "42 s", "2 min", "5 h", "3 d".
    static func roughly(_ seconds: Double) -> String {
        let whole = Int64(seconds.rounded(.down))
        switch whole {
        case ..<60: return "\(whole) s"
        case ..<3600: return "\(whole / 60) min"
        case ..<86400: return "\(whole / 3600) h"
        default: return "\(whole / 86400) d"
        }
    }

    /// A duration in two units where the second one matters: "42 s", "2 min 5 s", "1 h 12 min",
    /// "3 d 4 h". For uptimes.
    static func duration(_ seconds: Double) -> String {
        let whole = Int64(max(0, seconds).rounded(.down))
        switch whole {
        case ..<60: return "\(whole) s"
        case ..<3600: return pair(whole / 60, "min", whole % 60, "s")
        case ..<86400: return pair(whole / 3600, "h", whole % 3600 / 60, "min")
        default: return pair(whole / 86400, "d", whole % 86400 / 3600, "h")
        }
    }

    private static func pair(_ major: Int64, _ majorUnit: String, _ minor: Int64, _ minorUnit: String) -> String {
        minor == 0 ? "\(major) \(majorUnit)" : "\(major) \(majorUnit) \(minor) \(minorUnit)"
    }
}
