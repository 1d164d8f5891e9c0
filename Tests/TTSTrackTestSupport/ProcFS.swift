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
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let value = Double(parts[1].trimmingCharacters(in: .whitespaces)) { return value }
        }
        return nil
    }
}
