#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time as milliseconds since 1970 UTC: what the store keeps, replies carry as
/// RFC 3339 text and `TTSTrackClient` hands out in a task's times. Public because the daemon
/// library's store API and the client library's `TrackerTask` both take it; no Foundation `Date`
/// is needed on either side.
public struct Timestamp: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(milliseconds: Int64) { self.rawValue = milliseconds }

    /// The current wall-clock time.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `self` moved by `seconds`; a move of more than about three million years either way is
    /// cut to that (a time that far off is never reached either way), so no input can make it
    /// trap, and NaN moves nothing.
    public func adding(seconds: Double) -> Timestamp {
        let limit = 1e17  // milliseconds: within Int64 with room
        let offset = (seconds * 1000).rounded()
        guard !offset.isNaN else { return self }
        let moved = Int64(min(max(offset, -limit), limit))
        let (sum, overflow) = rawValue.addingReportingOverflow(moved)
        return Timestamp(milliseconds: overflow ? (moved > 0 ? .max : .min) : sum)
    }

    /// Seconds from `other` to `self`.
    public func seconds(since other: Timestamp) -> Double {
        Double(rawValue - other.rawValue) / 1000
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-25T11:06:20.123Z`.
    public var rfc3339: String {
        var seconds = time_t(rawValue >= 0 ? rawValue / 1000 : (rawValue - 999) / 1000)
        let millis = Int(rawValue - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }

    public var description: String { rfc3339 }
}
