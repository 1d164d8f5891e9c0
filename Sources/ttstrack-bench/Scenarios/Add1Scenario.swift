import Foundation
import Synchronization
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire

/// `add1`: many programs adding one id each at once. 64 clients, each on its own connection,
/// add one fresh id per call in a loop for the window: ids/s and the latency of each call.
/// The reference is SQLite itself on the same disk (a database in the same directory), one
/// durable transaction (WAL, synchronous=FULL) per id, as fast as one writer commits them:
/// what a daemon that commits each call alone could at best reach.
struct Add1Scenario {
    let context: BenchContext
    static let clients = 64

    func run() throws(BenchError) -> [BenchRow] {
        let directory = context.makeDirectory("add1")
        let daemonDirectory = "\(directory)/daemon"
        do {
            try FileManager.default.createDirectory(atPath: daemonDirectory, withIntermediateDirectories: true)
        } catch {
            throw BenchError("cannot create \(daemonDirectory): \(error.localizedDescription)")
        }

        Progress.log("reference: SQLite, one durable transaction per id, for \(context.seconds) s")
        let reference = try Self.referenceRun(path: "\(directory)/reference.sqlite3", window: context.window)
        Progress.log(
            "SQLite: \(BenchTable.format(reference.idsPerSecond)) ids/s, p50 "
                + "\(Self.text(reference.latency.percentile(50))) ms, p99 \(Self.text(reference.latency.percentile(99))) ms"
        )

        Progress.log("starting ttstrackd (nothing due); \(Self.clients) clients add one id per call")
        let daemon = try BenchDaemon(settings: .idle, directory: daemonDirectory)
        defer { daemon.stop() }
        try daemon.waitUntilReady()
        let measured = try Self.clientsRun(daemon, clients: Self.clients, window: context.window)
        Progress.log(
            "ttstrackd: \(BenchTable.format(measured.idsPerSecond)) ids/s, p50 "
                + "\(Self.text(measured.latency.percentile(50))) ms, p99 \(Self.text(measured.latency.percentile(99))) ms"
        )
        try Self.checkStored(daemon, expected: measured.latency.count)

        let name = "SQLite 1 txn/id"
        return [
            BenchRow(
                figure: "Add ids/s, \(Self.clients) clients × 1 id per call", value: measured.idsPerSecond,
                reference: reference.idsPerSecond, target: .atLeastTimesReference(5, referenceName: name), decimals: 0),
            BenchRow(
                figure: "Add p50 latency (ms), \(Self.clients) clients", value: measured.latency.percentile(50),
                reference: reference.latency.percentile(50), decimals: 3),
            BenchRow(
                figure: "Add p99 latency (ms), \(Self.clients) clients", value: measured.latency.percentile(99),
                reference: reference.latency.percentile(99), target: .below(5), decimals: 3),
        ]
    }

    struct Measurement {
        var idsPerSecond: Double
        /// Milliseconds per call (per transaction for the reference).
        var latency: LatencySummary
    }

    /// One writer, one id per autocommit INSERT, in a table shaped like the daemon's.
    static func referenceRun(path: String, window: Duration) throws(BenchError) -> Measurement {
        do {
            let db = try Database(path: path)
            try db.execute(SQLiteShellReference.schema)
            let insert = try db.prepare(
                "INSERT INTO tasks(task_id, kind, status, added_at, updated_at, next_check_at) "
                    + "VALUES (?1, 'tts', 'PENDING', ?2, ?2, ?3)")
            var latencies: [Double] = []
            latencies.reserveCapacity(100_000)
            let started = ContinuousClock.now
            let end = started + window
            var now = started
            while now < end {
                for id in BenchContext.taskIDs(100) {
                    insert.reset()
                    try insert.bind(id, at: 1)
                    try insert.bind(Int64(1_700_000_000_000), at: 2)
                    try insert.bind(Int64(1_700_003_600_000), at: 3)
                    try insert.run()
                    let after = ContinuousClock.now
                    latencies.append((after - now).seconds * 1000)
                    now = after
                }
            }
            return Measurement(
                idsPerSecond: Double(latencies.count) / (now - started).seconds, latency: LatencySummary(latencies))
        } catch {
            throw BenchError("SQLite reference failed: \(error)")
        }
    }

    /// `clients` threads, each its own connection, one fresh id per `Add` until the window ends.
    static func clientsRun(_ daemon: BenchDaemon, clients: Int, window: Duration) throws(BenchError) -> Measurement {
        let socketPath = daemon.daemon.socketPath
        let ready = Atomic<Int>(0)
        let go = Atomic<Bool>(false)
        let results = Mutex<[Result<[Double], BenchError>]>([])
        let finished = DispatchGroup()
        let end = Mutex<ContinuousClock.Instant?>(nil)
        for _ in 0..<clients {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                let outcome: Result<[Double], BenchError>
                do {
                    let client = try VarlinkClient(path: socketPath)
                    client.setReceiveTimeout(30)
                    ready.add(1, ordering: .relaxed)
                    while !go.load(ordering: .acquiring) { usleep(100) }
                    guard let deadline = end.withLock({ $0 }) else { throw BenchError("no deadline") }
                    var latencies: [Double] = []
                    var now = ContinuousClock.now
                    outer: while true {
                        for id in BenchContext.taskIDs(100) {
                            guard now < deadline else { break outer }
                            let frame = VarlinkReply.frame([
                                "method": "io.ttstrack.Tracker.Add", "parameters": ["ids": [.string(id)]],
                            ])
                            try client.sendRaw(frame)
                            let reply = try client.receive()
                            let after = ContinuousClock.now
                            if let error = reply.error {
                                throw BenchError("Add failed: \(error.name) \(error.parameters)")
                            }
                            guard reply.parameters["added"] == .int(1) else {
                                throw BenchError("Add did not add its fresh id: \(reply.parameters)")
                            }
                            latencies.append((after - now).seconds * 1000)
                            now = after
                        }
                    }
                    outcome = .success(latencies)
                } catch let error as BenchError {
                    outcome = .failure(error)
                } catch {
                    outcome = .failure(BenchError("client failed: \(error)"))
                }
                results.withLock { $0.append(outcome) }
            }
        }
        while ready.load(ordering: .relaxed) < clients {
            if results.withLock({ !$0.isEmpty }) { break }
            usleep(1000)
        }
        let started = ContinuousClock.now
        end.withLock { $0 = started + window }
        go.store(true, ordering: .releasing)
        finished.wait()
        let elapsed = ContinuousClock.now - started
        var latencies: [Double] = []
        for outcome in results.withLock({ $0 }) {
            switch outcome {
            case .success(let samples): latencies.append(contentsOf: samples)
            case .failure(let error): throw error
            }
        }
        return Measurement(idsPerSecond: Double(latencies.count) / elapsed.seconds, latency: LatencySummary(latencies))
    }

    /// Every acknowledged id is in the store: `Stats` counts them all PENDING.
    static func checkStored(_ daemon: BenchDaemon, expected: Int) throws(BenchError) {
        let client = try daemon.client()
        let reply: [String: JSONValue]
        do {
            reply = try client.call("io.ttstrack.Tracker.Stats")
        } catch {
            throw BenchError("Stats failed: \(error)")
        }
        guard case .object(let tasks)? = reply["tasks"], tasks["PENDING"] == .int(Int64(expected)) else {
            throw BenchError("store holds \(reply["tasks"] ?? .null), acknowledged \(expected)")
        }
    }

    private static func text(_ value: Double?) -> String {
        value.map { BenchTable.format($0, decimals: 3) } ?? "n/a"
    }
}
