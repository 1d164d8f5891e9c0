import ArgumentParser
import TTSTrackClient

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

    /// The socket to use: `--socket`, else `TrackerClient.defaultSocketPath`
    /// (`$TTSTRACK_SOCKET`, else the daemon's default path, falling back to the system
    /// daemon's when only that one exists).
    func socketPath(environment: [String: String]? = nil) -> String {
        socket ?? TrackerClient.defaultSocketPath(environment: environment)
    }

    /// A connection to the daemon, or `CLIError.unavailable` naming the path tried.
    func connect() async throws(CLIError) -> TrackerConnection {
        try await TrackerConnection.connect(path: socketPath())
    }
}
