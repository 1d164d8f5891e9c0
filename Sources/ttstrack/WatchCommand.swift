import ArgumentParser
import TTSTrack

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `ttstrack watch [ID…]`: follows status changes as they happen, one line per event, until
/// interrupted. Each line is flushed at once, so `ttstrack watch --json | consumer` sees an
/// event when the daemon records it.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print status changes as they happen (of the ids given, or of all tasks).",
        discussion: """
            Runs until interrupted. --json prints each event as one JSON object per line: \
            {"seq": N, "task": {…}}. --since SEQ first replays the changes recorded after SEQ. \
            Exits 69 if the daemon goes away.
            """)

    @OptionGroup var options: ClientOptions

    @Option(help: ArgumentHelp("First replay the changes recorded after this event number.", valueName: "seq"))
    var since: Int64?

    @Argument(
        help: ArgumentHelp("Only these task ids ('-' reads them from standard input); all when none.", valueName: "id"))
    var ids: [String] = []

    func validate() throws {
        if let since, since < 0 { throw ValidationError("--since must be 0 or more") }
    }

    func run() throws {
        let input = try IDInput(arguments: ids)
        let connection = try options.connect()
        var parameters: [String: JSONValue] = [:]
        if !ids.isEmpty {
            let list = try input.all()
            guard !list.isEmpty else { throw CLIError.usage("no task ids on standard input") }
            parameters["ids"] = .array(list.map(JSONValue.string))
        }
        if let since { parameters["since"] = .int(since) }
        try connection.start("Watch", parameters)
        let output = TextOutput.standardOutput()
        while true {
            let (reply, continues) = try connection.nextReply()
            if let event = reply["event"] {
                output.line(options.json ? event.jsonText : Self.describe(event))
                output.flush()
            }
            if !continues { return }
        }
    }

    /// `11:06:20  #12  task-1  tts  SUCCESS  run_id 4711`, with the reason and message of a
    /// failure at the end; the time is when the daemon recorded the change, in local time.
    static func describe(_ event: JSONValue) -> String {
        let fields = ReplyFields(event)
        let task = TaskInfo(fields["task"] ?? .null)
        var parts = [
            clock(task.updatedAt ?? .now()),
            "#\(fields.int("seq").map(String.init) ?? "?")",
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
