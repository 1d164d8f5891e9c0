import ArgumentParser
import TTSTrack

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The options every subcommand takes: where the daemon is and how to print. Kept in one
/// option group so `--socket` and `--json` mean the same everywhere.
struct ClientOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The daemon's control socket (default: $TTSTRACK_SOCKET, else the daemon's default path).",
            valueName: "path"))
    var socket: String?

    @Flag(name: .long, help: "Print JSON: one document (for watch, one object per line).")
    var json = false

    func validate() throws {
        if let socket, socket.isEmpty { throw ValidationError("--socket needs a path") }
    }

    /// The socket to use, as `ttstrackd` finds it (contract §3): `--socket`, else
    /// `$TTSTRACK_SOCKET`, else `DefaultPaths.socket`. A user's default path that does not
    /// exist falls back to the system daemon's `/run/ttstrack/io.ttstrack.Tracker` when that
    /// one does, so an ordinary user reaches a daemon run by systemd without any flag.
    func socketPath(environment: [String: String] = ProcessEnvironment.current()) -> String {
        if let socket { return socket }
        if let path = environment["TTSTRACK_SOCKET"], !path.isEmpty { return path }
        let preferred = DefaultPaths.socket(environment: environment)
        let system = DefaultPaths.socket(environment: [:], uid: 0)
        if preferred != system && !Self.exists(preferred) && Self.exists(system) { return system }
        return preferred
    }

    /// A connection to the daemon, or `CLIError.unavailable` naming the path tried.
    func connect() throws(CLIError) -> TrackerConnection {
        try TrackerConnection(path: socketPath())
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}
