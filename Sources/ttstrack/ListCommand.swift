import ArgumentParser
import TTSTrackClient
import TTSTrackWire

/// `ttstrack list`: tracked tasks ordered by id, a page at a time through `List`'s
/// `after`/`next` cursor. `--all` follows every page and prints as it goes, so listing a
/// million tasks never holds them all in memory.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List tracked tasks, ordered by task id.",
        discussion: """
            Shows one page (the daemon's default size unless --limit); when more follow, says so on \
            standard error, and --json has the cursor in "next". --all shows every page.
            """)

    @OptionGroup var options: ClientOptions

    @Option(
        help: ArgumentHelp(
            "Only tasks with this status (e.g. PENDING, SUCCESS, ERROR), or 'active' / 'terminal'.",
            valueName: "status"))
    var status: String?

    @Option(help: ArgumentHelp("Only tasks of this kind (tts, dub, …).", valueName: "kind"))
    var kind: String?

    @Option(help: ArgumentHelp("Only tasks added with this tag.", valueName: "tag"))
    var tag: String?

    @Option(help: ArgumentHelp("Tasks per page (the daemon caps it).", valueName: "n"))
    var limit: Int?

    @Option(help: ArgumentHelp("Start after this task id (the \"next\" cursor of a previous page).", valueName: "id"))
    var after: String?

    @Flag(help: "Follow every page, not just the first.")
    var all = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let status, status.isEmpty { throw ValidationError("--status needs a value") }
        if let kind, TaskKind(rawValue: kind) == nil {
            throw ValidationError("unknown kind \"\(kind)\"; known kinds: \(TaskKind.all.joined(separator: ", "))")
        }
        try TagOption.validate(tag)
    }

    func run() async throws {
        if let after, let problem = TaskID.problem(with: after) {
            throw CLIError.usage("invalid --after \(TrackerConnection.quoted(after)): \(problem)")
        }
        let connection = try await options.connect()
        let output = TextOutput.standardOutput()
        var cursor = after
        let page = { (after: String?) async throws(CLIError) -> TrackerTaskPage in
            try await connection.run { client throws(TrackerClientError) in
                try await client.list(status: status, kind: kind, tag: tag, limit: limit, after: after)
            }
        }

        guard all else {
            let reply = try await page(cursor)
            if options.json {
                output.line(JSONValue.object(reply.reply).jsonText)
                return
            }
            let tasks = reply.tasks
            if tasks.isEmpty { output.line("no tasks") }
            var table = TaskTable()
            table.write(tasks, now: .now(), to: output)
            if let next = reply.next {
                output.flush()
                TextOutput.errorLine(
                    "ttstrack: more tasks follow; use --all, or --after \(TrackerConnection.quoted(next))")
            }
            return
        }

        // Every page, written as it arrives. The JSON is the same document a single reply
        // would be ({"next":null,"seq":…,"tasks":[…]}, keys sorted), built piece by piece; its
        // seq is the first page's, the oldest read, so a watch from it misses no change.
        var table = TaskTable()
        var count = 0
        var first = true
        while true {
            let reply = try await page(cursor)
            let tasks = reply.tasks
            if options.json {
                if first {
                    let seq = reply.seq.map { #""seq":\#($0),"# } ?? ""
                    output.append(#"{"next":null,"# + seq + #""tasks":["#)
                    first = false
                }
                for task in tasks {
                    if count > 0 { output.append(",") }
                    output.append(task.json.jsonText)
                    count += 1
                }
            } else {
                table.write(tasks, now: .now(), to: output)
                count += tasks.count
            }
            guard let next = reply.next, !tasks.isEmpty else { break }
            cursor = next
        }
        if options.json {
            output.line("]}")
        } else if count == 0 {
            output.line("no tasks")
        }
    }
}
