import ArgumentParser
import Foundation

/// `ttstrack-bench`: starts `camb-sim` and `ttstrackd` as separate processes on temporary
/// directories, measures each scenario against a reference taken in the same run, and
/// prints one Markdown table.
@main
struct TTSTrackBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttstrack-bench",
        abstract: "Benchmark ttstrackd against the CAMB.AI simulator, wrk and the sqlite3 shell.",
        discussion: """
            Needs ttstrackd and camb-sim beside this binary (or in TTSTRACK_BIN_DIR), and wrk and
            sqlite3 on PATH for the references. Progress goes to standard error, the results table
            (Markdown) to standard output.
            """)

    enum Scenario: String, CaseIterable, ExpressibleByArgument {
        case checks, add, get, idle, overload, https, results
        case add1
        case delivery
        // The adaptive schedule: detection delay and calls per task.
        case detect
    }

    @Option(
        name: .customLong("scenario"),
        help: ArgumentHelp(
            "Scenario to run (repeatable): checks, add, get, idle, overload, https, results, add1, delivery, "
                + "detect. Default: all."))
    var scenarios: [Scenario] = []

    @Option(help: "Tasks tracked in checks, get and idle.")
    var tasks = 100_000

    @Option(help: "Length of each measurement window in seconds.")
    var seconds = 10

    @Option(name: .customLong("add-ids"), help: "Ids added in the add scenario.")
    var addIDs = 1_000_000

    @Flag(help: "Small smoke run: 10,000 tasks, 3 s windows, 100,000 ids added.")
    var quick = false

    func validate() throws {
        guard tasks >= 1 else { throw ValidationError("--tasks must be 1 or more") }
        guard seconds >= 1 else { throw ValidationError("--seconds must be 1 or more") }
        guard addIDs >= 1 else { throw ValidationError("--add-ids must be 1 or more") }
    }

    func run() throws {
        var context = BenchContext(tasks: tasks, seconds: seconds, addIDs: addIDs)
        if quick {
            context.tasks = 10_000
            context.seconds = 3
            context.addIDs = 100_000
            context.quick = true
        }
        let selected = scenarios.isEmpty ? Scenario.allCases : Scenario.allCases.filter(scenarios.contains)
        Cleanup.shared.installSignalHandlers()
        defer { Cleanup.shared.cleanUp() }

        var table = BenchTable()
        var failures: [String] = []
        for scenario in selected {
            Progress.log("scenario \(scenario.rawValue)")
            do {
                table.append(contentsOf: try Self.run(scenario, context))
            } catch {
                Progress.log("scenario \(scenario.rawValue) failed: \(error)")
                failures.append(scenario.rawValue)
            }
            // Children and files of a failed scenario must not disturb the next one.
            Cleanup.shared.cleanUp()
        }

        let commandLine = (["ttstrack-bench"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        var output = BenchEnvironment.describe(commandLine: commandLine) + "\n"
        output +=
            "- sizes: \(context.tasks) tasks tracked while polling, \(context.seconds) s windows, \(context.addIDs) ids added\n\n"
        output += table.markdown
        print(output, terminator: "")
        if !failures.isEmpty {
            throw BenchError("failed scenarios: \(failures.joined(separator: ", "))")
        }
    }

    private static func run(_ scenario: Scenario, _ context: BenchContext) throws(BenchError) -> [BenchRow] {
        switch scenario {
        case .checks: try ChecksScenario(context: context).run()
        case .add: try AddScenario(context: context).run()
        case .get: try GetScenario(context: context).run()
        case .idle: try IdleScenario(context: context).run()
        case .overload: try OverloadScenario(context: context).run()
        case .https: try HTTPSScenario(context: context).run()
        case .results: try ResultsScenario(context: context).run()
        case .add1: try Add1Scenario(context: context).run()
        case .delivery: try DeliveryScenario(context: context).run()
        case .detect: try DetectScenario(context: context).run()
        }
    }
}
