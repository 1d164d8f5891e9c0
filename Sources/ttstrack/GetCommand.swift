import ArgumentParser
import TTSTrack

/// `ttstrack get ID…`: the tasks as the daemon last saw them, in the order given. An unknown id
/// is shown as UNTRACKED, not as an error, so a script can look up many ids in one go.
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show tasks.",
        discussion: "An id the daemon does not track shows as UNTRACKED. '-' reads ids from standard input.")

    @OptionGroup var options: ClientOptions

    @OptionGroup var taskIDs: TaskIDArguments

    func run() throws {
        let input = try IDInput(arguments: taskIDs.ids)
        let connection = try options.connect()
        var tasks: [JSONValue] = []
        try input.forEachBatch { batch throws(CLIError) in
            let reply = try connection.call("Get", ["ids": .array(batch.map(JSONValue.string))])
            tasks.append(contentsOf: reply.array("tasks"))
        }
        let output = TextOutput.standardOutput()
        if options.json {
            output.line(JSONValue.object(["tasks": .array(tasks)]).jsonText)
        } else {
            var table = TaskTable()
            table.write(tasks.map(TaskInfo.init), now: .now(), to: output)
        }
    }
}
