import Foundation

/// What `checks` and `get` measure against: `camb-sim` answering PENDING forever and a
/// daemon polling `tasks` ids as fast as it can (no rate limit, 64 in flight, every task
/// always due), already warmed up.
final class PollingRig {
    let simulator: SimulatorProcess
    let daemon: BenchDaemon
    let ids: [String]

    /// Starts the daemon against an already running simulator; `environment` adds settings
    /// (`TTSTRACK_API_CA_FILE`, `TTSTRACK_API_HTTP_VERSION`).
    init(
        simulator: SimulatorProcess, tasks: Int, directory: String, environment: [String: String] = [:]
    ) throws(BenchError) {
        self.simulator = simulator
        Progress.log("starting ttstrackd at full polling speed")
        var settings = DaemonSettings.fullSpeed(apiBaseURL: simulator.baseURL)
        settings.extra = environment
        let daemon = try BenchDaemon(settings: settings, directory: directory)
        self.daemon = daemon
        try daemon.waitUntilReady()
        ids = BenchContext.taskIDs(tasks)
        let took = try daemon.add(ids)
        Progress.log("added \(tasks) ids in \(BenchTable.format(took.seconds)) s; waiting for checks to flow")
        try daemon.waitForChecks(minimum: min(tasks, 1000), warmUp: .seconds(1))
    }

    func stop() {
        let (status, took) = daemon.stop()
        if status != 0 {
            Progress.log(
                "note: ttstrackd exited with status \(status) after SIGTERM (\(BenchTable.format(took.seconds)) s)")
        }
    }
}
