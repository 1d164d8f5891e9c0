import Foundation
import Synchronization
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire

/// `add1`: many programs adding one id each at once. 64 clients, each on its own connection,
/// add one fresh id per call in a loop for the window: ids/s and the latency of each call
/// (from the call's send to its reply's arrival).
/// The reference is SQLite itself on the same disk (a database in the same directory), one
/// durable transaction (WAL, synchronous=FULL) per id, as fast as one writer commits them:
/// what a daemon that commits each call alone could at best reach.
/// Then the same clients call `GetInfo` for the window: the socket, decoding and event loop an
/// `Add` also goes through, without the scheduler or the store, so the rate and latency no
/// `Add` can beat on this machine.
struct Add1Scenario {
    let context: BenchContext
    static let clients = 64

    func run() throws(BenchError) -> [BenchRow] {
        let directory = context.makeDirectory("add1")
        let daemonDirectory = "\(directory)/daemon"
        try BenchContext.createDirectory(daemonDirectory)

        Progress.log("reference: SQLite, one durable transaction per id, for \(context.seconds) s")
        let reference = try Self.referenceRun(path: "\(directory)/reference.sqlite3", window: context.window)
        Progress.log(
            "SQLite: \(BenchTable.format(reference.perSecond)) ids/s, p50 "
                + "\(Self.text(reference.latency.percentile(50))) ms, p99 \(Self.text(reference.latency.percentile(99))) ms"
        )

        Progress.log("starting ttstrackd (nothing due); \(Self.clients) clients add one id per call")
        // /metrics times the group commits and the calls inside the daemon: where an Add's time goes.
        let metricsPort: Int
        do {
            metricsPort = try freeLoopbackPort()
        } catch {
            throw BenchError("no free loopback port for /metrics: \(error)")
        }
        var settings = DaemonSettings.idle
        settings.extra["TTSTRACK_METRICS_LISTEN"] = "127.0.0.1:\(metricsPort)"
        let daemon = try BenchDaemon(settings: settings, directory: daemonDirectory)
        defer { daemon.stop() }
        try daemon.waitUntilReady()
        // What bounds the rate: with the machine's cores short of busy, it is not CPU.
        // The scrapes stay out of the CPU figures (a scrape counts every task).
        let before = try MetricsScrape.take(port: metricsPort)
        let daemonCPU = try CPUSampler(pid: daemon.pid)
        let machineBusy = try ProcessStats.machineBusySeconds()
        let measured = try Self.clientsRun(
            daemon, clients: Self.clients, window: context.window, calls: .addOneID(clients: Self.clients))
        let daemonCores = try daemonCPU.sample()
        let machineCores = (try ProcessStats.machineBusySeconds() - machineBusy) / daemonCores.wallSeconds
        let inside = try Inside(
            before: before, after: try MetricsScrape.take(port: metricsPort), calls: measured.latency.count,
            windowSeconds: measured.seconds)
        Progress.log(
            "ttstrackd: \(BenchTable.format(measured.perSecond)) ids/s, p50 "
                + "\(Self.text(measured.latency.percentile(50))) ms, p99 \(Self.text(measured.latency.percentile(99))) ms"
        )
        try Self.checkStored(daemon, expected: measured.latency.count)
        // What no Add can beat: the same clients and loop on a call that never reaches the store.
        Progress.log("the same \(Self.clients) clients calling GetInfo (the call path without the store)")
        let bare = try Self.clientsRun(daemon, clients: Self.clients, window: context.window, calls: .getInfo())
        Progress.log(
            "GetInfo: \(BenchTable.format(bare.perSecond)) calls/s, p50 "
                + "\(Self.text(bare.latency.percentile(50))) ms, p99 \(Self.text(bare.latency.percentile(99))) ms")

        let name = "SQLite 1 txn/id"
        return [
            BenchRow(
                figure: "Add ids/s, \(Self.clients) clients × 1 id per call", value: measured.perSecond,
                reference: reference.perSecond, target: .atLeastTimesReference(5, referenceName: name), decimals: 0),
            BenchRow(
                figure: "Add p50 latency (ms), \(Self.clients) clients", value: measured.latency.percentile(50),
                reference: reference.latency.percentile(50), decimals: 3),
            BenchRow(
                figure: "Add p99 latency (ms), \(Self.clients) clients", value: measured.latency.percentile(99),
                reference: reference.latency.percentile(99), target: .below(5), decimals: 3),
            BenchRow(figure: "Add mean latency (ms), as the clients see it", value: measured.latency.mean, decimals: 3),
            BenchRow(
                figure: "Add mean in the scheduler (ms): wait for a group commit, the commit",
                value: inside.addMilliseconds,
                decimals: 3),
            BenchRow(figure: "group commits: ids per commit", value: inside.idsPerCommit, decimals: 1),
            BenchRow(
                figure: "group commit mean (ms): transaction and its sync", value: inside.commitMilliseconds,
                decimals: 3),
            BenchRow(figure: "writer busy committing (share of the window)", value: inside.writerBusy, decimals: 2),
            BenchRow(figure: "ttstrackd CPU meanwhile (cores)", value: daemonCores.percentOfCore / 100, decimals: 2),
            BenchRow(
                figure: "machine busy meanwhile (cores of \(ProcessInfo.processInfo.activeProcessorCount))",
                value: machineCores, decimals: 2),
            BenchRow(
                figure: "GetInfo calls/s, same clients (no scheduler, no store)", value: bare.perSecond, decimals: 0),
            BenchRow(
                figure: "GetInfo p50 latency (ms), same clients", value: bare.latency.percentile(50), decimals: 3),
            BenchRow(
                figure: "GetInfo p99 latency (ms), same clients", value: bare.latency.percentile(99), decimals: 3),
        ]
    }

    /// The daemon's own account of the window, from `/metrics` before and after it.
    struct Inside {
        var addMilliseconds: Double?
        var idsPerCommit: Double?
        var commitMilliseconds: Double?
        var writerBusy: Double?

        /// - Parameter calls: the calls the clients made in the window, which the daemon must
        ///   have timed too (else its figures are not the window's).
        init(before: MetricsScrape, after: MetricsScrape, calls: Int, windowSeconds: Double) throws(BenchError) {
            let timed = try before.growth(to: after, of: "ttstrack_add_duration_seconds_count")
            guard timed == Double(calls) else {
                throw BenchError("/metrics timed \(Int(timed)) Add calls, the clients made \(calls)")
            }
            let callSeconds = try before.growth(to: after, of: "ttstrack_add_duration_seconds_sum")
            let commits = try before.growth(to: after, of: "ttstrack_add_commit_duration_seconds_count")
            let commitSeconds = try before.growth(to: after, of: "ttstrack_add_commit_duration_seconds_sum")
            let ids = try before.growth(to: after, of: "ttstrack_add_commit_ids_total")
            addMilliseconds = calls > 0 ? callSeconds / timed * 1000 : nil
            idsPerCommit = commits > 0 ? ids / commits : nil
            commitMilliseconds = commits > 0 ? commitSeconds / commits * 1000 : nil
            writerBusy = windowSeconds > 0 ? commitSeconds / windowSeconds : nil
        }
    }

    struct Measurement {
        /// The window's length as measured, from the first call to the last reply.
        var seconds: Double
        /// Milliseconds per call (per transaction for the reference).
        var latency: LatencySummary

        /// Calls (ids, for Add and the reference) per second.
        var perSecond: Double { Double(latency.count) / seconds }
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
            return Measurement(seconds: (now - started).seconds, latency: LatencySummary(latencies))
        } catch {
            throw BenchError("SQLite reference failed: \(error)")
        }
    }

    /// What each of the 64 clients calls in a loop: the frame of its next call, and a check of
    /// the reply (a description of what is wrong, or nil).
    struct CallLoop {
        var frame: (_ client: Int) -> [UInt8]
        var check: (_ parameters: [String: JSONValue]) -> String?

        /// `Add` of one fresh id, which the reply must say was added.
        static func addOneID(clients: Int) -> CallLoop {
            var ids: [[String]] = Array(repeating: [], count: clients)
            return CallLoop(
                frame: { index in
                    if ids[index].isEmpty { ids[index] = BenchContext.taskIDs(100) }
                    return VarlinkReply.frame([
                        "method": "io.ttstrack.Tracker.Add", "parameters": ["ids": [.string(ids[index].removeLast())]],
                    ])
                },
                check: { $0["added"] == .int(1) ? nil : "Add did not add its fresh id: \($0)" })
        }

        /// `org.varlink.service.GetInfo`: the same socket, decoding, event loop and reply as an
        /// `Add`, and nothing of the scheduler or the store.
        static func getInfo() -> CallLoop {
            CallLoop(
                frame: { _ in VarlinkReply.frame(["method": "org.varlink.service.GetInfo"]) },
                check: { $0["product"] == .string("ttstrackd") ? nil : "GetInfo answered \($0)" })
        }
    }

    /// `clients` connections, each with one call of `calls` outstanding at a time: the next
    /// call goes out when the reply to the last is in, until the window ends. One thread
    /// drives them all with `poll`, as 64 programs would, each waiting for its own reply: 64
    /// client threads would instead spend the two cores this machine shares with the daemon on
    /// their own wake-ups, and measure those.
    static func clientsRun(
        _ daemon: BenchDaemon, clients: Int, window: Duration, calls: CallLoop
    ) throws(BenchError) -> Measurement {
        let socketPath = daemon.daemon.socketPath
        var connections: [VarlinkClient] = []
        do {
            for _ in 0..<clients {
                let client = try VarlinkClient(path: socketPath)
                client.setReceiveTimeout(30)
                connections.append(client)
            }
        } catch {
            throw BenchError("cannot connect: \(error)")
        }
        var descriptors = connections.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
        var sentAt = [ContinuousClock.Instant](repeating: .now, count: clients)
        var latencies: [Double] = []
        latencies.reserveCapacity(1_000_000)
        func send(_ index: Int) throws(BenchError) {
            let frame = calls.frame(index)
            sentAt[index] = .now
            do {
                try connections[index].sendRaw(frame)
            } catch {
                throw BenchError("a call could not be sent: \(error)")
            }
        }
        let started = ContinuousClock.now
        let deadline = started + window
        for index in 0..<clients { try send(index) }
        var outstanding = clients
        while outstanding > 0 {
            let ready = poll(&descriptors, nfds_t(clients), 30_000)
            // Every reply poll found had arrived by now: the time of each, before this loop spends
            // any time on the others (group commit makes many arrive at once).
            let arrived = ContinuousClock.now
            guard ready > 0 else {
                if ready < 0 && errno == EINTR { continue }
                if ready < 0 { throw BenchError("poll failed: \(String(cString: strerror(errno)))") }
                throw BenchError("no reply within 30 s (\(outstanding) calls outstanding)")
            }
            for index in 0..<clients where descriptors[index].revents != 0 {
                descriptors[index].revents = 0
                let reply: VarlinkClient.Reply
                do {
                    reply = try connections[index].receive()
                } catch {
                    throw BenchError("a call failed: \(error)")
                }
                if let error = reply.error {
                    throw BenchError("a call failed: \(error.name) \(error.parameters)")
                }
                if let problem = calls.check(reply.parameters) { throw BenchError(problem) }
                latencies.append((arrived - sentAt[index]).seconds * 1000)
                if arrived < deadline {
                    try send(index)
                } else {
                    descriptors[index].fd = -1  // done: poll ignores it from now on
                    outstanding -= 1
                }
            }
        }
        let elapsed = ContinuousClock.now - started
        return Measurement(seconds: elapsed.seconds, latency: LatencySummary(latencies))
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
