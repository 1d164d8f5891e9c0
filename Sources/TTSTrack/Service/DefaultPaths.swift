import TTSTrackWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where the store and the configuration live when nothing says; the socket's
/// default is `DefaultSocketPath`, shared with the client.
public enum DefaultPaths {
    public static let defaultConfigFile = "/etc/ttstrack/ttstrackd.yaml"

    /// `$STATE_DIRECTORY/tasks.sqlite3` under systemd, `/var/lib/ttstrack/…` for root, else
    /// `$XDG_STATE_HOME/ttstrack/…` (`~/.local/state` when unset).
    public static func store(environment: [String: String], uid: UInt32? = nil) -> String {
        let uid = uid ?? getuid()
        if let state = DefaultSocketPath.firstDirectory(environment["STATE_DIRECTORY"]) {
            return "\(state)/tasks.sqlite3"
        }
        if uid == 0 { return "/var/lib/ttstrack/tasks.sqlite3" }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty {
            return "\(xdg)/ttstrack/tasks.sqlite3"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp/ttstrack-\(uid)"
        return "\(home)/.local/state/ttstrack/tasks.sqlite3"
    }
}
