import ArgumentParser
import TTSTrackWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `ttstrack`: the command-line client of `ttstrackd`. Its own `main` keeps the documented
/// exit statuses and the rule that an error is one plain line on standard error: usage errors
/// found by ArgumentParser exit 64 without the usage dump, ``CLIError``s carry their status.
@main
struct TTSTrackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttstrack",
        abstract: "Track CAMB.AI task ids with ttstrackd: add them, read back status and run_id.",
        discussion: """
            The daemon's socket is --socket, else $TTSTRACK_SOCKET, else the daemon's default path.
            Task ids are 1 to 128 characters of A-Z a-z 0-9 _ - . :; give an id that starts with '-' \
            after '--'. Where ids are taken, '-' reads more of them from standard input, one per line. \
            Tags (add --tag, then list, wait or watch --tag) are 1 to 64 characters of the same set.

            Exit status: 0 success; 1 the daemon refused a call, or (wait) a task ended other than \
            SUCCESS; 2 wait timed out; 64 bad usage; 69 the daemon cannot be reached.
            """,
        version: TTSTrackVersion.current,
        subcommands: [
            AddCommand.self, GetCommand.self, ListCommand.self, WaitCommand.self, WatchCommand.self,
            RemoveCommand.self, StatsCommand.self, FetchCommand.self,
        ])

    static func main() async {
        ProcessSignals.unblockTermination()
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            fail(error.message, status: error.exitCode)
        } catch let error as ExitCode {
            terminate(error.rawValue)
        } catch {
            // Help, --version and completion scripts are "errors" that exit 0 with text on
            // standard output; ArgumentParser prints those.
            let status = exitCode(for: error)
            if status == .success { exit(withError: error) }
            let text = CLIError.oneLine(message(for: error))
            guard status == .validationFailure else { fail(text, status: status.rawValue) }
            fail("\(text) (see 'ttstrack\(subcommandName) --help')", status: 64)
        }
        terminate(0)
    }

    /// Prints `ttstrack: message` on standard error and exits.
    static func fail(_ message: String, status: Int32) -> Never {
        TextOutput.errorLine("ttstrack: \(message)")
        terminate(status)
    }

    static func terminate(_ status: Int32) -> Never {
        #if canImport(Glibc)
        Glibc.exit(status)
        #else
        Musl.exit(status)
        #endif
    }

    /// " add" when the arguments name a subcommand, for the hint after a usage error.
    private static var subcommandName: String {
        let names = Set(configuration.subcommands.compactMap { $0.configuration.commandName })
        guard let name = CommandLine.arguments.dropFirst().first(where: names.contains) else { return "" }
        return " \(name)"
    }
}
