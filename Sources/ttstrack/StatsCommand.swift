import ArgumentParser
import Foundation
import TTSTrackClient
import TTSTrackWire

/// `ttstrack stats`: the daemon's counts by status and the state of its link to the API, the
/// first thing to look at when tasks do not move.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show task counts by status and the daemon's API state.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let stats = try await options.connect().run { client throws(TrackerClientError) in try await client.stats() }
        let output = TextOutput.standardOutput()
        if options.json {
            output.line(JSONValue.object(stats.reply).jsonText)
            return
        }
        let counts = stats.tasks.keys.sorted().map { (status: $0, count: stats.tasks[$0]!) }
        var rows: [(String, String)] = [
            ("version", stats.version ?? "-"),
            ("uptime", stats.uptime.map(RelativeTime.duration) ?? "-"),
            ("api", stats.apiState ?? "-"),
        ]
        if let apiError = stats.apiError, !apiError.isEmpty {
            rows.append(("api error", apiError))
        }
        rows.append(("checks", stats.checksTotal.map(String.init) ?? "-"))
        rows.append(("checks failed", stats.checksFailed.map(String.init) ?? "-"))
        if let watchers = stats.watchers { rows.append(("watchers", String(watchers))) }
        rows.append(("tasks", String(counts.reduce(0) { $0 + $1.count })))
        for (status, count) in counts { rows.append(("  \(status)", String(count))) }
        if stats.results.values.contains(where: { $0 > 0 }) {
            rows.append(
                ("results", stats.results.keys.sorted().map { "\($0) \(stats.results[$0]!)" }.joined(separator: ", ")))
        }
        for target in ["hooks", "webhooks"] {
            guard let pending = stats.deliveries["\(target).pending"],
                let failed = stats.deliveries["\(target).failed"],
                pending > 0 || failed > 0
            else { continue }
            rows.append((target, "\(pending) pending, \(failed) given up"))
        }
        if !stats.schedule.isEmpty { rows.append(("learned durations", "finishes, median, p90")) }
        for kind in stats.schedule.keys.sorted() {
            let learned = stats.schedule[kind]!
            let seconds = { (value: Double?) in value.map { String(format: "%.1f s", $0) } ?? "-" }
            rows.append(
                ("  \(kind)", "\(learned.finishes), \(seconds(learned.median)), \(seconds(learned.p90))"))
        }
        let width = rows.map(\.0.count).max() ?? 0
        for (name, value) in rows {
            let padding = String(repeating: " ", count: width - name.count + 2)
            output.line(CLIError.oneLine(name + padding + value))
        }
    }
}
