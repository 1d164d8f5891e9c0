import ArgumentParser
import TTSTrack

/// `ttstrack remove ID…`: stop tracking and forget ids. Ids that were not tracked are counted,
/// not refused, so removing twice is harmless.
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Stop tracking task ids and forget them.",
        discussion: """
            '-' reads ids from standard input, one per line. Prints "removed N, not tracked M".
            """)

    @OptionGroup var options: ClientOptions

    @OptionGroup var taskIDs: TaskIDArguments

    func run() throws {
        let input = try IDInput(arguments: taskIDs.ids)
        let connection = try options.connect()
        var removed: Int64 = 0
        var asked: Int64 = 0
        do {
            try input.forEachBatch { batch throws(CLIError) in
                let reply = try connection.call("Remove", ["ids": .array(batch.map(JSONValue.string))])
                removed += reply.int("removed") ?? 0
                asked += Int64(batch.count)
            }
        } catch {
            guard asked > 0 else { throw error }
            throw CLIError.withNote(error, "before that, removed \(removed)")
        }
        let output = TextOutput.standardOutput()
        if options.json {
            output.line(JSONValue.object(["removed": .int(removed)]).jsonText)
        } else {
            output.line("removed \(removed), not tracked \(max(0, asked - removed))")
        }
    }
}
