#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where the socket and the store live when the configuration does not say (contract §2–§3).
public enum DefaultPaths {
    public static let socketName = "io.ttstrack.Tracker"
    public static let defaultConfigFile = "/etc/ttstrack/ttstrackd.yaml"

    /// `$RUNTIME_DIRECTORY/io.ttstrack.Tracker` under systemd, `/run/ttstrack/…` for root,
    /// `$XDG_RUNTIME_DIR/ttstrack/…`, or `/tmp/ttstrack-$UID/…`.
    public static func socket(environment: [String: String], uid: UInt32? = nil) -> String {
        let uid = uid ?? getuid()
        if let runtime = firstDirectory(environment["RUNTIME_DIRECTORY"]) {
            return "\(runtime)/\(socketName)"
        }
        if uid == 0 { return "/run/ttstrack/\(socketName)" }
        if let xdg = environment["XDG_RUNTIME_DIR"], !xdg.isEmpty {
            return "\(xdg)/ttstrack/\(socketName)"
        }
        return "/tmp/ttstrack-\(uid)/\(socketName)"
    }

    /// `$STATE_DIRECTORY/tasks.sqlite3` under systemd, `/var/lib/ttstrack/…` for root, else
    /// `$XDG_STATE_HOME/ttstrack/…` (`~/.local/state` when unset).
    public static func store(environment: [String: String], uid: UInt32? = nil) -> String {
        let uid = uid ?? getuid()
        if let state = firstDirectory(environment["STATE_DIRECTORY"]) {
            return "\(state)/tasks.sqlite3"
        }
        if uid == 0 { return "/var/lib/ttstrack/tasks.sqlite3" }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty {
            return "\(xdg)/ttstrack/tasks.sqlite3"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp/ttstrack-\(uid)"
        return "\(home)/.local/state/ttstrack/tasks.sqlite3"
    }

    /// systemd may list several directories separated by `:`; ours is the first.
    private static func firstDirectory(_ value: String?) -> String? {
        guard let value, let first = value.split(separator: ":").first, !first.isEmpty else { return nil }
        return String(first)
    }
}
