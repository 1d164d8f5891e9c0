import Foundation
import TTSTrack
import TTSTrackWire

/// `overload`: more checks due than the rate allows. `tasks / 20` ids (at least 1,000) each
/// due every second against a limit of 2,000 checks/s, so 2.5× more are due than can be made.
/// Honest scheduling means the rate holds, the oldest due go first, and lateness spreads
/// evenly: every task is checked about as often as every other, and the most overdue task is
/// late by about twice the mean lateness of the waiting tasks (a queue served in order: their
/// lateness is spread evenly from 0 to the maximum), never by the whole window.
struct OverloadScenario {
    let context: BenchContext

    static let rate = 2_000.0

    func run() throws(BenchError) -> [BenchRow] {
        let directory = context.makeDirectory("overload")
        let simulator = try SimulatorProcess(directory: directory)
        defer { simulator.stop() }
        let tasks = max(1_000, context.tasks / 20)
        var settings = DaemonSettings(apiBaseURL: simulator.baseURL)
        settings.rate = Self.rate
        settings.concurrency = 64
        settings.firstDelay = 0
        settings.minInterval = 1
        settings.maxInterval = 1
        settings.jitter = 0
        Progress.log(
            "starting ttstrackd: \(tasks) ids due every 1 s, rate limit \(BenchTable.format(Self.rate))/s")
        let daemon = try BenchDaemon(settings: settings, directory: directory)
        defer { daemon.stop() }
        try daemon.waitUntilReady()
        try daemon.add(BenchContext.taskIDs(tasks))
        // Warm up until the backlog is established: every id checked at least once.
        let cycle = Double(tasks) / Self.rate
        BenchContext.sleep(.milliseconds(Int64((cycle + 1) * 1000)))

        Progress.log("measuring overload for \(context.seconds) s")
        let store = try Self.open(daemon.daemon.storePath)
        let before = try Self.snapshot(store)
        let started = ContinuousClock.now
        BenchContext.sleep(context.window)
        let after = try Self.snapshot(store)
        let elapsed = (ContinuousClock.now - started).seconds

        var checksPerTask: [Int] = []
        checksPerTask.reserveCapacity(after.tasks.count)
        var overdue: [Double] = []
        for (id, task) in after.tasks {
            checksPerTask.append(task.checks - (before.tasks[id]?.checks ?? 0))
            // Lateness of the tasks that are due and waiting; those checked within the last
            // interval are not due yet and are not late.
            if task.nextCheckAt <= after.at { overdue.append(Double(after.at - task.nextCheckAt) / 1000) }
        }
        let totalChecks = checksPerTask.reduce(0, +)
        let checksPerSecond = Double(totalChecks) / elapsed
        let meanChecks = Double(totalChecks) / Double(max(1, checksPerTask.count))
        let meanOverdue = overdue.reduce(0, +) / Double(max(1, overdue.count))
        let maxOverdue = overdue.max() ?? 0
        let starved = checksPerTask.filter { $0 == 0 }.count
        Progress.log(
            "overload: \(totalChecks) checks in \(BenchTable.format(elapsed)) s; checks per task min "
                + "\(checksPerTask.min() ?? 0), mean \(BenchTable.format(meanChecks)), max \(checksPerTask.max() ?? 0); "
                + "\(overdue.count) waiting, late by mean \(BenchTable.format(meanOverdue)) s, max \(BenchTable.format(maxOverdue)) s"
        )
        return [
            BenchRow(
                figure: "overload: checks/s with \(tasks) due every 1 s, rate limit \(Int(Self.rate))/s",
                value: checksPerSecond, reference: Self.rate, referenceNote: nil,
                target: .atMostTimesReference(1.02, referenceName: "the limit"), decimals: 0),
            BenchRow(
                figure: "overload: checks per task in the window, min (reference: mean)",
                value: Double(checksPerTask.min() ?? 0), reference: meanChecks, decimals: 2),
            BenchRow(
                figure: "overload: tasks not checked at all in the window", value: Double(starved), target: .atMost(0),
                decimals: 0),
            BenchRow(
                figure: "overload: max lateness (s) of a waiting task (reference: mean lateness)", value: maxOverdue,
                reference: meanOverdue, target: .atMostTimesReference(3, referenceName: "mean"), decimals: 2),
        ]
    }

    private struct Snapshot {
        var at: Int64
        var tasks: [String: (checks: Int, nextCheckAt: Int64)]
    }

    private static func open(_ path: String) throws(BenchError) -> Database {
        do {
            return try Database(path: path, readOnly: true, create: false)
        } catch {
            throw BenchError("cannot open the daemon's store \(path): \(error)")
        }
    }

    /// Every task's check count and next due time, read in one snapshot of the live store.
    private static func snapshot(_ store: Database) throws(BenchError) -> Snapshot {
        do {
            let statement = try store.prepare("SELECT task_id, checks, next_check_at FROM tasks")
            var tasks: [String: (checks: Int, nextCheckAt: Int64)] = [:]
            let at = Timestamp.now().rawValue
            while try statement.step() {
                tasks[statement.string(0)] = (statement.int(1), statement.int64(2))
            }
            return Snapshot(at: at, tasks: tasks)
        } catch {
            throw BenchError("cannot read the daemon's store: \(error)")
        }
    }
}
