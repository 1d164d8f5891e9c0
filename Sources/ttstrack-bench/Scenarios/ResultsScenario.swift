import Foundation
import TTSTrackTestSupport
import TTSTrackWire

/// `results`: 1,000 tasks whose results are 1 MiB of audio each, fetched to disk by the daemon
/// (streamed, fsynced, renamed): MiB/s written and the daemon's RSS while it does so, beside
/// `cp` of the same bytes on the same disk (followed by `sync`, as each result is fsynced).
struct ResultsScenario {
    let context: BenchContext
    static let count = 1_000
    static let size = 1 << 20

    func run() throws(BenchError) -> [BenchRow] {
        let directory = context.makeDirectory("results")
        let count = context.quick ? 200 : Self.count
        let simulator = try SimulatorProcess(
            directory: directory, arguments: ["--success-after", "0", "--audio-bytes", String(Self.size)],
            alwaysPending: false)
        defer { simulator.stop() }
        var settings = DaemonSettings(apiBaseURL: simulator.baseURL, rate: 0, concurrency: 64, firstDelay: 0)
        settings.extra = [
            "TTSTRACK_RESULTS_DIR": "\(directory)/results", "TTSTRACK_RESULTS_CONCURRENCY": "8",
        ]
        let daemon = try BenchDaemon(settings: settings, directory: directory)
        defer { daemon.stop() }
        _ = try daemon.waitUntilReady()
        let client = try daemon.client()
        let rssBefore = try ProcessStats.residentMiB(pid: daemon.pid)
        Progress.log("fetching \(count) results of \(Self.size >> 20) MiB each")
        let started = ContinuousClock.now
        _ = try daemon.add((0..<count).map { "result-\($0)" })
        var rssMax = rssBefore
        while true {
            rssMax = max(rssMax, try ProcessStats.residentMiB(pid: daemon.pid))
            let reply: [String: JSONValue]
            do {
                reply = try client.call("io.ttstrack.Tracker.Stats")
            } catch {
                throw BenchError("Stats failed: \(error)")
            }
            if case .int(let done)? = reply["results"]?["done"], done >= count { break }
            if case .int(let failed)? = reply["results"]?["failed"], failed > 0 {
                throw BenchError("\(failed) results failed")
            }
            guard ContinuousClock.now - started < .seconds(600) else {
                throw BenchError("results took over 10 minutes")
            }
            BenchContext.sleep(.milliseconds(100))
        }
        let elapsed = (ContinuousClock.now - started).seconds
        let mebibytes = Double(count * Self.size) / Double(1 << 20)
        let rate = mebibytes / elapsed
        Progress.log(
            "\(count) results in \(BenchTable.format(elapsed)) s: \(BenchTable.format(rate)) MiB/s; RSS "
                + "\(BenchTable.format(rssBefore)) → at most \(BenchTable.format(rssMax)) MiB")
        let reference = try copyReference(directory: directory, count: count)
        Progress.log("cp + sync of the same bytes: \(BenchTable.format(reference)) MiB/s")
        return [
            BenchRow(
                figure: "results written (MiB/s), \(count) × 1 MiB, fsynced each (reference: cp + sync)",
                value: rate, reference: reference, decimals: 1),
            BenchRow(
                figure: "daemon RSS (MiB) before fetching them", value: rssBefore, decimals: 1),
            BenchRow(
                figure: "daemon peak RSS (MiB) while fetching (reference: before)", value: rssMax, reference: rssBefore,
                target: .atMost((rssBefore + 32).rounded()), decimals: 1),
        ]
    }

    /// MiB/s of `cp -r` of the fetched files to a new directory on the same disk, then `sync`.
    private func copyReference(directory: String, count: Int) throws(BenchError) -> Double {
        let source = "\(directory)/results"
        let target = "\(directory)/copy"
        _ = runCommand(["sync"])
        let started = ContinuousClock.now
        let copy = runCommand(["cp", "-r", source, target])
        _ = runCommand(["sync"])
        let elapsed = (ContinuousClock.now - started).seconds
        guard copy.status == 0 else { throw BenchError("cp failed with status \(copy.status)") }
        return Double(count * Self.size) / Double(1 << 20) / elapsed
    }
}
