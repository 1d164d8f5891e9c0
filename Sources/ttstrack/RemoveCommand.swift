import ArgumentParser
import TTSTrackClient
import TTSTrackWire

/// `ttstrack remove ID…`: stop tracking and forget ids. Ids that were not tracked are counted,
/// not refused, so removing twice is harmless.
struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Stop tracking task ids and forget them.",
        discussion: """
            '-' reads ids from standard input, one per line. Prints "removed N, not tracked M".
            """)

    @OptionGroup var options: ClientOptions

    @OptionGroup var taskIDs: TaskIDArguments

    func run() async throws {
        let input = try IDInput(arguments: taskIDs.ids)
        let connection = try await options.connect()
        var removed = 0
        var asked = 0
        do {
            try await input.forEachBatch { batch throws(CLIError) in
                removed += try await connection.run { client throws(TrackerClientError) in
                    try await client.remove(batch)
                }
                asked += batch.count
            }
        } catch {
            guard asked > 0 else { throw error }
            throw CLIError.withNote(error, "before that, removed \(removed)")
        }
        let output = TextOutput.standardOutput()
        if options.json {
            output.line(JSONValue.object(["removed": .int(Int64(removed))]).jsonText)
        } else {
            output.line("removed \(removed), not tracked \(max(0, asked - removed))")
        }
    }
}
