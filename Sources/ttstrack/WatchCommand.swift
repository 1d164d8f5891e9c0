import ArgumentParser
import TTSTrackClient
import TTSTrackWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `ttstrack watch [ID…]`: follows status changes as they happen, one line per event, until
/// interrupted. Each line is flushed at once, so `ttstrack watch --json | consumer` sees an
/// event when the daemon records it.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print status changes as they happen (of the ids given, or of all tasks).",
        discussion: """
            Runs until interrupted. --tag: the changes of the tasks with that tag (also of those \
            added with it later); with ids too, the changes of both. --json prints each event as one JSON object per line: \
            {"seq": N, "task": {…}}. --since SEQ first replays the changes recorded after SEQ. \
            Exits 69 if the daemon goes away.
            """)

    @OptionGroup var options: ClientOptions

    @Option(help: ArgumentHelp("First replay the changes recorded after this event number.", valueName: "seq"))
    var since: Int64?

    @Option(help: ArgumentHelp("Only changes of tasks with this tag (and of the ids given).", valueName: "tag"))
    var tag: String?

    @Argument(
        help: ArgumentHelp(
            "Only these task ids ('-' reads them from standard input); all when none (and no --tag).",
            valueName: "id"))
    var ids: [String] = []

    func validate() throws {
        if let since, since < 0 { throw ValidationError("--since must be 0 or more") }
        try TagOption.validate(tag)
    }

    func run() async throws {
        let input = try IDInput(arguments: ids)
        let connection = try await options.connect()
        var only: [String]?
        if !ids.isEmpty {
            only = try await input.allRequired()
        }
        let events = try await connection.run { client throws(TrackerClientError) in
            try await client.watch(ids: only, tag: tag, since: since)
        }
        let output = TextOutput.standardOutput()
        do throws(TrackerClientError) {
            for try await event in events {
                output.line(options.json ? event.json.jsonText : Self.describe(event))
                output.flush()
            }
        } catch {
            throw TrackerConnection.translate(error, path: connection.path)
        }
    }

    /// `11:06:20  #12  task-1  tts  SUCCESS  run_id 4711`, with the reason and message of a
    /// failure at the end; the time is when the daemon recorded the change, in local time.
    static func describe(_ event: TrackerEvent) -> String {
        let task = event.task
        var parts = [
            clock(task.updatedAt ?? .now()),
            "#\(event.json["seq"]?.integerValue.map(String.init) ?? "?")",
            task.taskID,
            task.kind.isEmpty ? "-" : task.kind,
            task.status,
        ]
        if let runID = task.runID { parts.append("run_id \(runID)") }
        if !task.detail.isEmpty { parts.append(task.detail) }
        return CLIError.oneLine(parts.joined(separator: "  "))
    }

    /// `HH:MM:SS` in the local time zone.
    static func clock(_ time: Timestamp) -> String {
        var seconds = time_t(time.rawValue / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}
