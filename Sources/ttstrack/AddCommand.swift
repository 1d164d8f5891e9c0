import ArgumentParser
import TTSTrack

/// `ttstrack add ID…`: hands ids to the daemon. Ids from standard input go in batches of
/// 10,000 per `Add` call, so a million ids work in bounded memory and well under the
/// daemon's per-call limit; each reply means that batch is committed.
struct AddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Start tracking task ids.",
        discussion: """
            '-' reads ids from standard input, one per line (blank lines are skipped); they are sent \
            in batches of \(IDInput.batchSize). An id that is already tracked is left as it is and \
            counted as already tracked. Prints "added N, already tracked M".
            """)

    @OptionGroup var options: ClientOptions

    @Option(
        help: ArgumentHelp(
            "Which status endpoint to poll: \(TaskKind.all.joined(separator: ", ")). Default: tts.",
            valueName: "kind"))
    var kind: String?

    @OptionGroup var taskIDs: TaskIDArguments

    func validate() throws {
        if let kind, TaskKind(rawValue: kind) == nil {
            throw ValidationError("unknown kind \"\(kind)\"; known kinds: \(TaskKind.all.joined(separator: ", "))")
        }
    }

    func run() throws {
        let input = try IDInput(arguments: taskIDs.ids)
        let connection = try options.connect()
        var added: Int64 = 0
        var existing: Int64 = 0
        var parameters: [String: JSONValue] = [:]
        if let kind { parameters["kind"] = .string(kind) }
        do {
            try input.forEachBatch { batch throws(CLIError) in
                parameters["ids"] = .array(batch.map(JSONValue.string))
                let reply = try connection.call("Add", parameters)
                added += reply.int("added") ?? 0
                existing += reply.int("existing") ?? 0
            }
        } catch {
            // Earlier batches are committed; say so, since re-running is harmless but the
            // user should know where the input stopped.
            guard added + existing > 0 else { throw error }
            throw CLIError.withNote(error, "before that, added \(added), already tracked \(existing)")
        }
        let output = TextOutput.standardOutput()
        if options.json {
            output.line(JSONValue.object(["added": .int(added), "existing": .int(existing)]).jsonText)
        } else {
            output.line("added \(added), already tracked \(existing)")
        }
    }
}
