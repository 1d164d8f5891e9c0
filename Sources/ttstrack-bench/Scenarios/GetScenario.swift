import Foundation
import Synchronization
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire

/// `get`: latency of `Get` of one random id, sequential calls on one connection, while the
/// daemon polls `tasks` ids at full speed. The reference is the same calls on a daemon
/// holding the same number of tasks with nothing due: what polling adds to a Get. On that idle
/// daemon, the same again while another client calls `Stats` in a loop.
struct GetScenario {
    let context: BenchContext

    func run() throws(BenchError) -> [BenchRow] {
        let directory = context.makeDirectory("get")

        Progress.log("reference: Get latency on a daemon with \(context.tasks) tasks and nothing due")
        let idleDaemon = try BenchDaemon(settings: .idle, directory: "\(directory)/idle")
        let idleIDs = BenchContext.taskIDs(context.tasks)
        let reference: LatencySummary
        let underStats: LatencySummary
        let statsCalls: Int
        do {
            defer { idleDaemon.stop() }
            try idleDaemon.waitUntilReady()
            try idleDaemon.add(idleIDs)
            reference = try Self.measureGets(idleDaemon, ids: idleIDs, window: context.window)
            Progress.log(
                "idle: \(reference.count) Get calls, p50 \(Self.text(reference.percentile(50))) ms, p99 \(Self.text(reference.percentile(99))) ms"
            )
            Progress.log("the same while another client calls Stats in a loop (each counts every task)")
            (underStats, statsCalls) = try Self.measureGetsUnderStats(idleDaemon, ids: idleIDs, window: context.window)
            Progress.log(
                "under Stats: \(underStats.count) Get calls, p50 \(Self.text(underStats.percentile(50))) ms, p99 "
                    + "\(Self.text(underStats.percentile(99))) ms; \(statsCalls) Stats calls meanwhile")
        }

        let simulator = try SimulatorProcess(directory: directory)
        defer { simulator.stop() }
        let rig = try PollingRig(simulator: simulator, tasks: context.tasks, directory: "\(directory)/polling")
        defer { rig.stop() }
        let statsClient = try rig.daemon.client()
        let checksBefore = try rig.daemon.checksTotal(statsClient)
        let started = ContinuousClock.now
        Progress.log("measuring Get latency while polling for \(context.seconds) s")
        let summary = try Self.measureGets(rig.daemon, ids: rig.ids, window: context.window)
        let checks = try rig.daemon.checksTotal(statsClient) - checksBefore
        Progress.log(
            "polling: \(summary.count) Get calls, p50 \(Self.text(summary.percentile(50))) ms, p99 "
                + "\(Self.text(summary.percentile(99))) ms; meanwhile "
                + "\(BenchTable.format(Double(checks) / (ContinuousClock.now - started).seconds)) checks/s")
        let note = "idle daemon"
        return [
            BenchRow(
                figure: "Get p50 latency (ms) while polling", value: summary.percentile(50),
                reference: reference.percentile(50), referenceNote: note, decimals: 3),
            BenchRow(
                figure: "Get p99 latency (ms) while polling", value: summary.percentile(99),
                reference: reference.percentile(99), referenceNote: note, target: .atMost(1), decimals: 3),
            BenchRow(
                figure: "Get max latency (ms) while polling", value: summary.maximum, reference: reference.maximum,
                referenceNote: note, decimals: 3),
            BenchRow(
                figure: "Get p99 latency (ms) while Stats is called in a loop (\(statsCalls) calls)",
                value: underStats.percentile(99), reference: reference.percentile(99), referenceNote: note,
                target: .atMost(1), decimals: 3),
        ]
    }

    /// Sequential `Get` calls of one random id each, on one connection, for `window`.
    private static func measureGets(
        _ daemon: BenchDaemon, ids: [String], window: Duration
    ) throws(BenchError)
        -> LatencySummary
    {
        let client = try daemon.client(receiveTimeout: 10)
        var latencies: [Double] = []
        latencies.reserveCapacity(200_000)
        let end = ContinuousClock.now + window
        var now = ContinuousClock.now
        while now < end {
            let id = ids.randomElement()!
            let reply: [String: JSONValue]
            do {
                reply = try client.call("io.ttstrack.Tracker.Get", ["ids": [.string(id)]])
            } catch {
                throw BenchError("Get failed: \(error)")
            }
            let after = ContinuousClock.now
            guard case .array(let tasks)? = reply["tasks"], tasks.count == 1 else {
                throw BenchError("Get reply without one task: \(reply)")
            }
            latencies.append((after - now).seconds * 1000)
            now = after
        }
        return LatencySummary(latencies)
    }

    /// ``measureGets(_:ids:window:)`` while a second client calls `Stats` back to back on its own
    /// connection: a count of every task must not hold up a Get.
    private static func measureGetsUnderStats(
        _ daemon: BenchDaemon, ids: [String], window: Duration
    ) throws(BenchError) -> (LatencySummary, calls: Int) {
        let socketPath = daemon.daemon.socketPath
        let stop = Atomic<Bool>(false)
        let calls = Atomic<Int>(0)
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            defer { finished.signal() }
            guard let statsClient = try? VarlinkClient(path: socketPath) else { return }
            statsClient.setReceiveTimeout(30)
            while !stop.load(ordering: .relaxed) {
                guard (try? statsClient.call("io.ttstrack.Tracker.Stats")) != nil else { break }
                calls.add(1, ordering: .relaxed)
            }
        }
        let summary: LatencySummary
        do {
            defer {
                stop.store(true, ordering: .relaxed)
                finished.wait()
            }
            summary = try measureGets(daemon, ids: ids, window: window)
        }
        let made = calls.load(ordering: .relaxed)
        guard made > 0 else { throw BenchError("the Stats client made no call") }
        return (summary, made)
    }

    private static func text(_ value: Double?) -> String {
        value.map { BenchTable.format($0, decimals: 3) } ?? "n/a"
    }
}
