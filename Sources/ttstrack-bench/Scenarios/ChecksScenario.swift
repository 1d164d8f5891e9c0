import Foundation

/// `checks`: status checks per second against the simulator, compared with `wrk` on the same
/// endpoint; the daemon's CPU per check and its memory with `tasks` tracked.
struct ChecksScenario {
    let context: BenchContext

    func run() throws(BenchError) -> [BenchRow] {
        let directory = context.makeDirectory("checks")
        let simulator = try SimulatorProcess(directory: directory)
        defer { simulator.stop() }
        Progress.log("camb-sim at \(simulator.baseURL)")

        var rows: [BenchRow] = []
        Progress.log("reference: wrk -t1 -c64 -d\(context.seconds)s on \(simulator.baseURL)/tts/bench-ref")
        let reference = try Wrk.run(
            url: "\(simulator.baseURL)/tts/bench-ref", apiKey: SimulatorProcess.apiKey, seconds: context.seconds,
            simulatorPID: simulator.pid, directory: directory)
        if let reference {
            Progress.log(
                "wrk: \(BenchTable.format(reference.requestsPerSecond)) req/s, camb-sim at "
                    + "\(BenchTable.format(reference.simulatorCPUPercent ?? 0)) %, wrk at "
                    + "\(BenchTable.format(reference.wrkCPUPercent ?? 0)) % of a core")
        } else {
            Progress.log(Wrk.installHint)
        }

        let rig = try PollingRig(simulator: simulator, tasks: context.tasks, directory: directory)
        defer { rig.stop() }
        let client = try rig.daemon.client()
        Progress.log("measuring for \(context.seconds) s")
        let daemonCPU = try CPUSampler(pid: rig.daemon.pid)
        let simulatorCPU = try CPUSampler(pid: simulator.pid)
        let checksBefore = try rig.daemon.checksTotal(client)
        let started = ContinuousClock.now
        BenchContext.sleep(context.window)
        let checksAfter = try rig.daemon.checksTotal(client)
        let elapsed = (ContinuousClock.now - started).seconds
        let daemonSample = try daemonCPU.sample()
        let simulatorSample = try simulatorCPU.sample()
        let rss = try ProcessStats.residentMiB(pid: rig.daemon.pid)
        let peak = try ProcessStats.peakResidentMiB(pid: rig.daemon.pid)

        let checks = checksAfter - checksBefore
        let checksPerSecond = Double(checks) / elapsed
        let microsecondsPerCheck = checks > 0 ? daemonSample.cpuSeconds / Double(checks) * 1e6 : nil
        Progress.log(
            "\(checks) checks in \(BenchTable.format(elapsed)) s; daemon \(BenchTable.format(daemonSample.percentOfCore)) %, "
                + "camb-sim \(BenchTable.format(simulatorSample.percentOfCore)) % of a core; RSS \(BenchTable.format(rss)) MiB"
        )

        rows.append(
            BenchRow(
                figure: "status checks/s", value: checksPerSecond, reference: reference?.requestsPerSecond,
                referenceNote: reference == nil ? "n/a (install wrk)" : nil,
                target: .atLeastTimesReference(0.5, referenceName: "wrk"), decimals: 0))
        rows.append(
            BenchRow(figure: "daemon CPU per check (µs)", value: microsecondsPerCheck, target: .atMost(20), decimals: 1)
        )
        rows.append(
            BenchRow(figure: "daemon CPU while polling (% of a core)", value: daemonSample.percentOfCore, decimals: 0))
        rows.append(
            BenchRow(
                figure: "camb-sim CPU while polled (% of a core)", value: simulatorSample.percentOfCore,
                reference: reference?.simulatorCPUPercent, referenceNote: reference == nil ? "n/a" : nil, decimals: 0))
        rows.append(
            BenchRow(
                figure: "daemon RSS (MiB) with \(context.tasks) tracked", value: rss, target: .atMost(64), decimals: 1))
        rows.append(BenchRow(figure: "daemon peak RSS (VmHWM, MiB)", value: peak, target: .atMost(64), decimals: 1))
        return rows
    }
}
