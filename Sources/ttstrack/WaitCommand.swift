import ArgumentParser
import TTSTrackClient
import TTSTrackWire

/// `ttstrack wait ID…`: blocks in one `Wait` call until every task is terminal (or untracked),
/// then shows them. The exit status is the verdict scripts branch on: 0 only when every
/// task ended in SUCCESS, 1 when one ended otherwise, 2 when `--timeout` ran out first.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until tasks finish; exit 0 only if all succeeded.",
        discussion: """
            Exit status: 0 every task ended in SUCCESS; 1 a task ended otherwise (ERROR, TIMEOUT, \
            PAYMENT_REQUIRED, NOT_FOUND, EXPIRED, or UNTRACKED); 2 the timeout passed first. \
            '-' reads ids from standard input (at most 100000 in all).
            """)

    @OptionGroup var options: ClientOptions

    @OptionGroup var waitTimeout: WaitTimeout

    @OptionGroup var taskIDs: TaskIDArguments

    func run() async throws {
        let input = try IDInput(arguments: taskIDs.ids)
        let connection = try await options.connect()
        let list = try await input.allRequired()
        let limit = waitTimeout.limit
        let reply = try await connection.run { client throws(TrackerClientError) in
            try await client.wait(ids: list, timeout: limit)
        }
        let tasks = reply.tasks
        let output = TextOutput.standardOutput()
        if options.json {
            output.line(JSONValue.object(reply.reply).jsonText)
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
