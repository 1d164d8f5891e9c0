import ArgumentParser
import Foundation
import TTSTrackClient
import TTSTrackWire

/// `ttstrack fetch ID… [--to DIR]`: has the daemon fetch the results of finished tasks now (also
/// when it does not fetch them by itself), waits until each has settled, and prints where each
/// lies, or copies them into `--to`. The daemon holds the API key, so the download is its job;
/// the files are readable by its group, which clients join.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch the results of finished tasks; exit 0 only if every one is on disk.",
        discussion: """
            Prints one line per task: its id and the result's path (or why there is none). With \
            --to, the results are copied into that directory. Exit status: 0 every result is on \
            disk; 1 one is not (the task did not succeed, or the download failed); 2 the timeout \
            passed first. '-' reads ids from standard input. When standard error is a terminal (and \
            without --json), it shows how many are done meanwhile, on one line redrawn in place.
            """)

    @OptionGroup var options: ClientOptions

    @Option(help: ArgumentHelp("Copy the results into this directory.", valueName: "dir"))
    var to: String?

    @OptionGroup var waitTimeout: WaitTimeout

    @OptionGroup var taskIDs: TaskIDArguments

    func run() async throws {
        let input = try IDInput(arguments: taskIDs.ids)
        let connection = try await options.connect()
        let list = try await input.allRequired()
        let limit = waitTimeout.limit
        _ = try await connection.run { client throws(TrackerClientError) in try await client.fetch(list) }
        // After the request, so the line counts the results it asked for as pending.
        let progress = await LiveProgress.start(connection, ids: list, json: options.json)
        let reply: TrackerWaitResult
        do {
            reply = try await connection.run { client throws(TrackerClientError) in
                var reply = try await client.wait(ids: list, timeout: limit)
                // Tasks that were still running have finished by now: fetch theirs too.
                let late = reply.tasks.filter { $0.status == "SUCCESS" && $0.resultState == nil }.map(\.taskID)
                if reply.done, !late.isEmpty, try await client.fetch(late) > 0 {
                    reply = try await client.wait(ids: list, timeout: limit)
                }
                return reply
            }
            progress?.finish()
        } catch {
            progress?.finish()
            throw error
        }
        let output = TextOutput.standardOutput()
        var missing = 0
        var lines: [JSONValue] = []
        for task in reply.tasks {
            var path = task.resultState == "done" ? task.resultPath : nil
            if let source = path, let to {
                let target = URL(fileURLWithPath: to).appendingPathComponent((source as NSString).lastPathComponent)
                do {
                    try? FileManager.default.removeItem(at: target)
                    try FileManager.default.copyItem(at: URL(fileURLWithPath: source), to: target)
                    path = target.path
                } catch {
                    throw CLIError.failed("cannot copy \(source) into \(to): \(error.localizedDescription)")
                }
            }
            if path == nil { missing += 1 }
            let why = path ?? Self.reason(task)
            lines.append(.object(["task_id": .string(task.taskID), "path": path.map(JSONValue.string) ?? .null]))
            if !options.json { output.line("\(CLIError.oneLine(task.taskID))  \(CLIError.oneLine(why))") }
        }
        if options.json { output.line(JSONValue.object(["results": .array(lines)]).jsonText) }
        output.flush()
        if !reply.done {
            TextOutput.errorLine("ttstrack: timed out: \(missing) of \(reply.tasks.count) results not on disk")
            throw ExitCode(2)
        }
        if missing > 0 {
            TextOutput.errorLine("ttstrack: \(missing) of \(reply.tasks.count) results are not on disk")
            throw ExitCode(1)
        }
    }

    /// Why a task has no result on disk, in a few words.
    static func reason(_ task: TrackerTask) -> String {
        if task.isUntracked { return "not tracked" }
        if task.resultState == "failed" { return "result failed: \(task.resultError ?? "unknown error")" }
        if task.status != "SUCCESS" { return task.terminal ? "ended \(task.status), no result" : "not finished yet" }
        if task.kind == "translated-story" || task.kind == "sub" {
            return "the \(task.kind) kind has no result to fetch"
        }
        return "no result"
    }
}
