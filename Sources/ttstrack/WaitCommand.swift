import ArgumentParser
import TTSTrack

/// `ttstrack wait ID…`: blocks in one `Wait` call until every task is terminal (or untracked),
/// then shows them. The exit status is the verdict scripts branch on: 0 only when every
/// task ended in SUCCESS, 1 when one ended otherwise, 2 when `--timeout` ran out first.
struct WaitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until tasks finish; exit 0 only if all succeeded.",
        discussion: """
            Exit status: 0 every task ended in SUCCESS; 1 a task ended otherwise (ERROR, TIMEOUT, \
            PAYMENT_REQUIRED, NOT_FOUND, EXPIRED, or UNTRACKED); 2 the timeout passed first. \
            '-' reads ids from standard input (at most 100000 in all).
            """)

    /// Ten years: longer timeouts are treated as no timeout.
    static let longestTimeout: Double = 10 * 365 * 86_400

    @OptionGroup var options: ClientOptions

    @Option(help: ArgumentHelp("Give up after this many seconds (exit 2). Default: no limit.", valueName: "seconds"))
    var timeout: Double?

    @OptionGroup var taskIDs: TaskIDArguments

    func validate() throws {
        if let timeout, !(timeout >= 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a number of seconds, 0 or more")
        }
    }

    func run() throws {
        let input = try IDInput(arguments: taskIDs.ids)
        let connection = try options.connect()
        let list = try input.all()
        guard !list.isEmpty else { throw CLIError.usage("no task ids on standard input") }
        var parameters: [String: JSONValue] = ["ids": .array(list.map(JSONValue.string))]
        // A timeout beyond Self.longestTimeout is sent as none at all: the same wait in
        // practice, and ttstrackd 0.1.0 traps converting a timeout over ~9.2e15 s to Int64.
        if let timeout, timeout <= Self.longestTimeout { parameters["timeout"] = .double(timeout) }
        let reply = try connection.call("Wait", parameters)
        let tasks = reply.array("tasks").map(TaskInfo.init)
        let output = TextOutput.standardOutput()
        if options.json {
            output.line(reply.jsonText)
        } else {
            var table = TaskTable()
            table.write(tasks, now: .now(), to: output)
        }
        output.flush()

        if reply.bool("done") != true {
            let open = tasks.filter { !$0.terminal && $0.status != "UNTRACKED" }.count
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
