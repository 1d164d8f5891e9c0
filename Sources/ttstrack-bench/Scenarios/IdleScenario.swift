import Foundation

/// `idle`: wake-ups and CPU of a daemon with nothing to do: first with nothing tracked, then
/// holding `tasks` ids with nothing due for an hour. Wake-ups are the context switches of all
/// its threads, from `/proc`.
struct IdleScenario {
    let context: BenchContext

    func run() throws(BenchError) -> [BenchRow] {
        let directory = context.makeDirectory("idle")
        Progress.log("starting ttstrackd with an empty store")
        let daemon = try BenchDaemon(settings: .idle, directory: directory)
        defer { daemon.stop() }
        try daemon.waitUntilReady()
        // Long enough for the threads that served the start to idle out and end.
        BenchContext.sleep(.seconds(5))
        let empty = try measure(daemon, what: "nothing tracked")
        try daemon.add(BenchContext.taskIDs(context.tasks))
        BenchContext.sleep(.seconds(5))
        let tracked = try measure(daemon, what: "\(context.tasks) tracked, none due")
        let checks = try daemon.checksTotal(daemon.client())
        let rss = try ProcessStats.residentMiB(pid: daemon.pid)
        Progress.log("idle: \(checks) checks; RSS \(BenchTable.format(rss)) MiB")
        return [
            BenchRow(
                figure: "idle wake-ups/s (context switches, all threads), nothing tracked", value: empty.wakeUps,
                target: .atMost(1), decimals: 2),
            BenchRow(
                figure: "idle wake-ups/s, \(context.tasks) tracked, none due for an hour", value: tracked.wakeUps,
                target: .atMost(1), decimals: 2),
            BenchRow(
                figure: "idle daemon CPU (% of a core), \(context.tasks) tracked", value: tracked.percentOfCore,
                target: .below(1), decimals: 2),
        ]
    }

    private struct Measurement {
        var wakeUps: Double
        var percentOfCore: Double
    }

    private func measure(_ daemon: BenchDaemon, what: String) throws(BenchError) -> Measurement {
        Progress.log("measuring idle wake-ups and CPU for \(context.seconds) s (\(what))")
        // Sampled every second, thread by thread: a thread that ends (the cooperative pool
        // lets idle threads go) takes its counts with it, so each one that vanished counts as
        // one wake-up, and one that appeared counts all of its switches.
        var last = try ProcessStats.contextSwitchesByThread(pid: daemon.pid)
        var switches = 0
        let cpu = try CPUSampler(pid: daemon.pid)
        for _ in 0..<context.seconds {
            BenchContext.sleep(.seconds(1))
            let now = try ProcessStats.contextSwitchesByThread(pid: daemon.pid)
            for (thread, count) in now { switches += max(0, count - (last[thread] ?? 0)) }
            switches += last.keys.filter { now[$0] == nil }.count
            last = now
        }
        let sample = try cpu.sample()
        let wakeUps = Double(switches) / sample.wallSeconds
        Progress.log(
            "idle (\(what)): \(BenchTable.format(wakeUps)) wake-ups/s, "
                + "\(BenchTable.format(sample.cpuSeconds * 1000)) ms CPU in \(BenchTable.format(sample.wallSeconds)) s")
        return Measurement(wakeUps: wakeUps, percentOfCore: sample.percentOfCore)
    }
}
