public import TTSTrackWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading how long a 429 asks us to wait: `retry-after-ms`, or `Retry-After` as seconds or an
/// HTTP date (RFC 9110 §10.2.3).
public enum RetryAfter {
    /// Seconds to wait, or `nil` when the headers say nothing usable.
    public static func seconds(retryAfter: String?, retryAfterMs: String?, now: Timestamp) -> Double? {
        if let text = retryAfterMs?.trimmingWhitespace, let ms = Double(text), ms.isFinite, ms >= 0 {
            return ms / 1000
        }
        guard let text = retryAfter?.trimmingWhitespace, !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite {
            return max(0, seconds)
        }
        guard let date = httpDate(text) else { return nil }
        return max(0, date.seconds(since: now))
    }

    /// Parses IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form servers must send.
    public static func httpDate(_ text: String) -> Timestamp? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let words = text.split(separator: " ")
        guard words.count == 6, words[0].hasSuffix(","), words[5] == "GMT",
            let day = Int32(words[1]), (1...31).contains(day),
            let month = months.firstIndex(of: String(words[2])),
            let year = Int32(words[3]), year >= 1970
        else { return nil }
        let clock = words[4].split(separator: ":")
        guard clock.count == 3, let hour = Int32(clock[0]), let minute = Int32(clock[1]),
            let second = Int32(clock[2]), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = Int32(month)
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let seconds = timegm(&parts)
        return Timestamp(milliseconds: Int64(seconds) * 1000)
    }
}
