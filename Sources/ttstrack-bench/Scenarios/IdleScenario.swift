import Foundation

/// `idle`: the daemon holding `tasks` ids with nothing due for an hour; its CPU over the window.
struct IdleScenario {
    let context: BenchContext

    func run() throws(BenchError) -> [BenchRow] {
        let directory = context.makeDirectory("idle")
        Progress.log("starting ttstrackd (nothing due) with \(context.tasks) ids")
        let daemon = try BenchDaemon(settings: .idle, directory: directory)
        defer { daemon.stop() }
        try daemon.waitUntilReady()
        try daemon.add(BenchContext.taskIDs(context.tasks))
        BenchContext.sleep(.seconds(1))
        Progress.log("measuring idle CPU for \(context.seconds) s")
        let cpu = try CPUSampler(pid: daemon.pid)
        BenchContext.sleep(context.window)
        let sample = try cpu.sample()
        let checks = try daemon.checksTotal(daemon.client())
        let rss = try ProcessStats.residentMiB(pid: daemon.pid)
        Progress.log(
            "idle: \(BenchTable.format(sample.cpuSeconds * 1000)) ms CPU in \(BenchTable.format(sample.wallSeconds)) s; "
                + "\(checks) checks; RSS \(BenchTable.format(rss)) MiB")
        return [
            BenchRow(
                figure: "idle daemon CPU (% of a core), \(context.tasks) tracked", value: sample.percentOfCore,
                target: .below(1), decimals: 2)
        ]
    }
}
