import Foundation

/// `add`: durable Add throughput (`addIDs` fresh ids, 10,000 per call, one connection,
/// sequential) against the `sqlite3` shell storing the same ids; then the time a restarted
/// daemon takes to answer with all of them in its store, and its memory.
struct AddScenario {
    let context: BenchContext

    func run() throws(BenchError) -> [BenchRow] {
        let count = context.addIDs
        let directory = context.makeDirectory("add")
        let daemonDirectory = "\(directory)/daemon"
        try BenchContext.createDirectory(daemonDirectory)
        Progress.log("generating \(count) ids")
        let ids = BenchContext.taskIDs(count)
        let idsFile = "\(directory)/ids.txt"
        do {
            try (ids.joined(separator: "\n") + "\n").write(toFile: idsFile, atomically: true, encoding: .utf8)
        } catch {
            throw BenchError("cannot write \(idsFile): \(error.localizedDescription)")
        }

        Progress.log("starting ttstrackd (nothing due) and adding \(count) ids, 10,000 per call")
        let daemon = try BenchDaemon(settings: .idle, directory: daemonDirectory)
        try daemon.waitUntilReady()
        let addTime = try daemon.add(ids)
        let idsPerSecond = Double(count) / addTime.seconds
        let rssAfterAdd = try ProcessStats.residentMiB(pid: daemon.pid)
        let peakAfterAdd = try ProcessStats.peakResidentMiB(pid: daemon.pid)
        Progress.log(
            "Add: \(BenchTable.format(addTime.seconds)) s, \(BenchTable.format(idsPerSecond)) ids/s; "
                + "RSS \(BenchTable.format(rssAfterAdd)) MiB (peak \(BenchTable.format(peakAfterAdd))); "
                + "store \(BenchTable.format(Self.storeMiB(daemon.daemon.storePath))) MiB")

        Progress.log("stopping ttstrackd (SIGTERM) and starting it again on the same store")
        let (status, stopTime) = daemon.stop()
        Progress.log("stopped with status \(status) in \(BenchTable.format(stopTime.seconds)) s")
        let restarted = try BenchDaemon(settings: .idle, directory: daemonDirectory)
        defer { restarted.stop() }
        let answer = try restarted.waitUntilReady()
        BenchContext.sleep(.seconds(1))
        let rssRestarted = try ProcessStats.residentMiB(pid: restarted.pid)
        Progress.log(
            "restart: GetInfo answered \(BenchTable.format(answer.seconds * 1000)) ms after spawn; "
                + "RSS 1 s later \(BenchTable.format(rssRestarted)) MiB")

        Progress.log("reference: sqlite3 shell importing the same \(count) ids, one transaction per 10,000")
        let reference = try SQLiteShellReference.run(idsFile: idsFile, count: count, directory: directory)
        if let reference {
            Progress.log(
                "sqlite3: \(BenchTable.format(reference.seconds)) s, \(BenchTable.format(Double(count) / reference.seconds)) ids/s"
            )
        } else {
            Progress.log(SQLiteShellReference.installHint)
        }

        return [
            BenchRow(
                figure: "Add ids/s (durable, 10k per call)", value: idsPerSecond,
                reference: reference.map { Double(count) / $0.seconds },
                referenceNote: reference == nil ? "n/a (install sqlite3)" : nil,
                target: .atLeastTimesReference(0.5, referenceName: "sqlite3"), decimals: 0),
            BenchRow(
                figure: "restart to first answer (s), \(count) in store", value: answer.seconds, target: .atMost(1),
                decimals: 3),
            BenchRow(
                figure: "daemon RSS (MiB) after adding \(count)", value: rssAfterAdd, target: .atMost(64), decimals: 1),
            BenchRow(
                figure: "daemon peak RSS (VmHWM, MiB) while adding", value: peakAfterAdd, target: .atMost(64),
                decimals: 1),
            BenchRow(
                figure: "daemon RSS (MiB) restarted with \(count)", value: rssRestarted, target: .atMost(64),
                decimals: 1),
        ]
    }

    /// Size of the store with its WAL, in MiB.
    private static func storeMiB(_ path: String) -> Double {
        [path, path + "-wal"].reduce(0.0) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            return total + Double(size) / 1_048_576
        }
    }
}
