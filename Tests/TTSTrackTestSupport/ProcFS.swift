import Foundation

/// Readers of Linux's `/proc` files, for tests and the benchmark.
public enum ProcFS {
    /// The fields of a `stat` file (`/proc/PID/stat`, `/proc/thread-self/stat`) after the
    /// command name, which is in parentheses and may itself contain spaces or parentheses:
    /// the first is field 3 (state), so field N is at index N - 3.
    public static func statFields(_ path: String) -> [Substring]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// A value of `/proc/PID/status` in kB (`VmRSS`, `VmHWM`).
    public static func statusKiB(pid: Int32, key: String) -> Double? {
        statusValue(path: "/proc/\(pid)/status", key: key)
    }

    /// The number after `key:` in a `status` file (`/proc/PID/status`,
    /// `/proc/PID/task/TID/status`), whatever unit follows it.
    public static func statusValue(path: String, key: String) -> Double? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let parts = line.dropFirst(key.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let first = parts.first, let value = Double(first) { return value }
        }
        return nil
    }
}
