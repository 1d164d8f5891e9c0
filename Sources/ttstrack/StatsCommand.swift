import ArgumentParser
import TTSTrack

/// `ttstrack stats`: the daemon's counts by status and the state of its link to the API, the
/// first thing to look at when tasks do not move.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show task counts by status and the daemon's API state.")

    @OptionGroup var options: ClientOptions

    func run() throws {
        let reply = try options.connect().call("Stats")
        let output = TextOutput.standardOutput()
        if options.json {
            output.line(reply.jsonText)
            return
        }
        let byStatus = ReplyFields(reply.object("tasks"))
        let counts = byStatus.values.keys.sorted().compactMap { status in
            byStatus.int(status).map { (status: status, count: $0) }
        }
        var rows: [(String, String)] = [
            ("version", reply.string("version") ?? "-"),
            ("uptime", reply.double("uptime").map(RelativeTime.duration) ?? "-"),
            ("api", reply.string("api_state") ?? "-"),
        ]
        if let apiError = reply.string("api_error"), !apiError.isEmpty {
            rows.append(("api error", apiError))
        }
        rows.append(("checks", reply.int("checks_total").map(String.init) ?? "-"))
        rows.append(("checks failed", reply.int("checks_failed").map(String.init) ?? "-"))
        if let watchers = reply.int("watchers") { rows.append(("watchers", String(watchers))) }
        rows.append(("tasks", String(counts.reduce(0) { $0 + $1.count })))
        for (status, count) in counts { rows.append(("  \(status)", String(count))) }
        let width = rows.map(\.0.count).max() ?? 0
        for (name, value) in rows {
            let padding = String(repeating: " ", count: width - name.count + 2)
            output.line(CLIError.oneLine(name + padding + value))
        }
    }
}
