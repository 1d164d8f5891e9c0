import ArgumentParser
import TTSTrackClient
import TTSTrackWire

/// `ttstrack add ID…`: hands ids to the daemon. Ids from standard input go in batches of
/// 10,000 per `Add` call, so a million ids work in bounded memory and well under the
/// daemon's per-call limit; each reply means that batch is committed.
struct AddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Start tracking task ids.",
        discussion: """
            '-' reads ids from standard input, one per line (blank lines are skipped); they are sent \
            in batches of \(IDInput.batchSize). An id that is already tracked is left as it is and \
            counted as already tracked. Prints "added N, already tracked M". --tag names the batch \
            (1 to 64 characters of A-Z a-z 0-9 _ - . :), for 'list --tag', 'wait --tag' and \
            'watch --tag'; an id already tracked keeps its tag.
            """)

    @OptionGroup var options: ClientOptions

    @Option(
        help: ArgumentHelp(
            "Which status endpoint to poll: \(TaskKind.all.joined(separator: ", ")). Default: tts.",
            valueName: "kind"))
    var kind: String?

    @Option(help: ArgumentHelp("Put this tag on the new ids.", valueName: "tag"))
    var tag: String?

    @OptionGroup var taskIDs: TaskIDArguments

    func validate() throws {
        if let kind, TaskKind(rawValue: kind) == nil {
            throw ValidationError("unknown kind \"\(kind)\"; known kinds: \(TaskKind.all.joined(separator: ", "))")
        }
        try TagOption.validate(tag)
    }

    func run() async throws {
        let input = try IDInput(arguments: taskIDs.ids)
        let connection = try await options.connect()
        var added = 0
        var existing = 0
        do {
            try await input.forEachBatch { batch throws(CLIError) in
                let counts = try await connection.run { client throws(TrackerClientError) in
                    try await client.add(batch, kind: kind, tag: tag)
                }
                added += counts.added
                existing += counts.existing
            }
        } catch {
            // Earlier batches are committed; say so, since re-running is harmless but the
            // user should know where the input stopped.
            guard added + existing > 0 else { throw error }
            throw CLIError.withNote(error, "before that, added \(added), already tracked \(existing)")
        }
        let output = TextOutput.standardOutput()
        if options.json {
            output.line(JSONValue.object(["added": .int(Int64(added)), "existing": .int(Int64(existing))]).jsonText)
        } else {
            output.line("added \(added), already tracked \(existing)")
        }
    }
}
