import ArgumentParser
import TTSTrackClient
import TTSTrackWire

/// `ttstrack wait ID…` or `wait --tag T`: blocks in one `Wait` call until every task is terminal
/// (or untracked), then shows them. The exit status is the verdict scripts branch on: 0 only
/// when every task ended in SUCCESS, 1 when one ended otherwise, 2 when `--timeout` ran out
/// first. On a terminal, a line on standard error says how far it is meanwhile.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until tasks finish; exit 0 only if all succeeded.",
        discussion: """
            Exit status: 0 every task ended in SUCCESS; 1 a task ended otherwise (ERROR, TIMEOUT, \
            PAYMENT_REQUIRED, NOT_FOUND, EXPIRED, or UNTRACKED); 2 the timeout passed first. \
            '-' reads ids from standard input (at most 100000 in all). --tag waits for every task \
            with that tag (as they are when the wait starts), and for the ids given too; a tag no \
            task has, with no ids, exits 1 at once, as an unknown id would. When standard error is a terminal (and without --json), \
            it shows how many are done meanwhile, on one line redrawn in place.
            """)

    @OptionGroup var options: ClientOptions

    @OptionGroup var waitTimeout: WaitTimeout

    @Option(help: ArgumentHelp("Wait for every task with this tag (and for the ids given).", valueName: "tag"))
    var tag: String?

    @Argument(help: ArgumentHelp("Task ids; '-' reads them from standard input.", valueName: "id"))
    var ids: [String] = []

    func validate() throws {
        try TagOption.validate(tag)
        if ids.isEmpty && tag == nil {
            throw ValidationError("Missing expected argument '<id> ...': give task ids, --tag, or both")
        }
    }

    func run() async throws {
        let input = try IDInput(arguments: ids)
        let connection = try await options.connect()
        let list = tag == nil ? try await input.allRequired() : try await input.all()
        let limit = waitTimeout.limit
        let progress = await LiveProgress.start(connection, ids: list, tag: tag, json: options.json)
        let reply: TrackerWaitResult
        do {
            reply = try await connection.run { client throws(TrackerClientError) in
                try await client.wait(ids: list.isEmpty ? nil : list, tag: tag, timeout: limit)
            }
            progress?.finish()
        } catch {
            progress?.finish()
            throw error
        }
        let tasks = reply.tasks
        let output = TextOutput.standardOutput()
        if options.json {
            output.line(JSONValue.object(reply.reply).jsonText)
        } else if tasks.isEmpty {
            output.line("no tasks")
        } else {
            var table = TaskTable()
            table.write(tasks, now: .now(), to: output)
        }
        output.flush()

        if !reply.done {
            let open = tasks.filter { !$0.terminal && !$0.isUntracked }.count
            TextOutput.errorLine("ttstrack: timed out: \(open) of \(tasks.count) tasks not finished")
            throw ExitCode(2)
        }
        if tasks.isEmpty, let tag {
            TextOutput.errorLine("ttstrack: no task has the tag \(TrackerConnection.quoted(tag))")
            throw ExitCode(1)
        }
        let failed = tasks.filter { $0.status != "SUCCESS" }
        if let first = failed.first {
            let which =
                failed.count == 1
                ? "\(first.taskID) ended \(first.status)"
                : "\(failed.count) of \(tasks.count) tasks did not succeed"
            TextOutput.errorLine("ttstrack: \(CLIError.oneLine(which))")
            throw ExitCode(1)
        }
    }
}
