import ArgumentParser
import TTSTrackClient
import TTSTrackWire

/// `ttstrack get ID…`: the tasks as the daemon last saw them, in the order given. An unknown id
/// is shown as UNTRACKED, not as an error, so a script can look up many ids in one go.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show tasks.",
        discussion: "An id the daemon does not track shows as UNTRACKED. '-' reads ids from standard input.")

    @OptionGroup var options: ClientOptions

    @OptionGroup var taskIDs: TaskIDArguments

    func run() async throws {
        let input = try IDInput(arguments: taskIDs.ids)
        let connection = try await options.connect()
        var tasks: [TrackerTask] = []
        try await input.forEachBatch { batch throws(CLIError) in
            let got = try await connection.run { client throws(TrackerClientError) in try await client.get(batch) }
            tasks.append(contentsOf: got)
        }
        let output = TextOutput.standardOutput()
        if options.json {
            output.line(JSONValue.object(["tasks": .array(tasks.map(\.json))]).jsonText)
        } else {
            var table = TaskTable()
            table.write(tasks, now: .now(), to: output)
        }
    }
}
