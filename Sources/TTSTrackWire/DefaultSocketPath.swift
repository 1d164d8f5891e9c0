#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where the control socket is when nothing names it. The daemon binds it and the client looks
/// for it by the same rule, so a user who gives neither a path reaches the daemon they started.
package enum DefaultSocketPath {
    /// The socket's file name, the interface's name.
    package static let name = "io.ttstrack.Tracker"

    /// `$RUNTIME_DIRECTORY/io.ttstrack.Tracker` under systemd, `/run/ttstrack/…` for root,
    /// `$XDG_RUNTIME_DIR/ttstrack/…`, or `/tmp/ttstrack-$UID/…`.
    package static func resolve(environment: [String: String], uid: UInt32? = nil) -> String {
        let uid = uid ?? getuid()
        if let runtime = firstDirectory(environment["RUNTIME_DIRECTORY"]) {
            return "\(runtime)/\(name)"
        }
        if uid == 0 { return "/run/ttstrack/\(name)" }
        if let xdg = environment["XDG_RUNTIME_DIR"], !xdg.isEmpty {
            return "\(xdg)/ttstrack/\(name)"
        }
        return "/tmp/ttstrack-\(uid)/\(name)"
    }

    /// The system daemon's socket, `/run/ttstrack/io.ttstrack.Tracker`.
    package static var system: String { resolve(environment: [:], uid: 0) }

    /// systemd may list several directories separated by `:`; ours is the first.
    package static func firstDirectory(_ value: String?) -> String? {
        guard let value, let first = value.split(separator: ":").first, !first.isEmpty else { return nil }
        return String(first)
    }
}
