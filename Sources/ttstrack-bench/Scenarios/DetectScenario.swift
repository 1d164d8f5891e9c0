import CambSimulator
import Foundation
import Synchronization
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire

/// `detect`: how soon the daemon knows a task finished, and how many checks that costs, on
/// tasks arriving over time (Poisson), short and long kinds mixed, durations drawn from laws
/// the daemon is not told. The simulator runs in process, so each task's start and true
/// duration are known here exactly.
///
/// The daemon first learns (warm-up arrivals until Stats shows a law for both kinds), then the
/// same measured arrivals (same ids, so the same durations) are replayed three times: with the
/// default settings, then with `poll.rate` below demand, once ranked (`poll.due_order:
/// likeliest`, the default) and once oldest due first. A loop checking every 5 s and every
/// 1 s from each task's start, and the limit (``DetectOracle``), are computed on the same
/// durations.
struct DetectScenario {
    let context: BenchContext
    static let laws: [String: TaskDurations.Law] = [
        "tts": .lognormal(median: 6, sigma: 0.35), "dub": .lognormal(median: 30, sigma: 0.3),
    ]
    /// Arrivals per second, all kinds together, half of each kind.
    static let arrivalRate = 1.2
    /// The rate limit of the budget runs: below the ~2.5 checks/s the schedule spends unlimited.
    static let tightRate = 1.5

    struct Arrival {
        var offset: Double
        var kind: String
        var id: String
    }

    struct Measured {
        var kind: String
        var duration: Double
        var calls: Int
        var delay: Double
    }

    func run() throws(BenchError) -> [BenchRow] {
        let directory = context.makeDirectory("detect")
        let simulator = try Self.startSimulator()
        defer { Self.stopSimulator(simulator) }
        let durations = TaskDurations(Self.laws, seed: 15)
        simulator.setDurations(durations)
        let measureSeconds = context.quick ? 45.0 : 90.0
        var random = SeededRandom(seed: 15)
        let warmUp = Self.arrivals(seconds: 240, prefix: "warm", using: &random)
        let measured = Self.arrivals(seconds: measureSeconds, prefix: "task", using: &random)
        let kinds = Self.laws.keys.sorted()

        var settings = DaemonSettings(apiBaseURL: simulator.baseURL)
        settings.extra = ["TTSTRACK_POLL_SCHEDULE": "adaptive"]
        var daemon = try BenchDaemon(settings: settings, directory: directory)
        _ = try daemon.waitUntilReady()
        Progress.log("detect: warm-up arrivals until the daemon has learned both kinds")
        let enough: (VarlinkClient) throws(BenchError) -> Bool = { client throws(BenchError) in
            let learned = try Self.learned(client)
            return kinds.allSatisfy { learned[$0] != nil }
        }
        let warmed = try Self.replay(warmUp, on: daemon, simulator: simulator, until: enough)
        try Self.settle(warmed.map(\.id), on: daemon, timeout: .seconds(180))
        try Self.removeAll(warmed.map(\.id), on: daemon)
        Progress.log("detect: learned \(try Self.learnedText(daemon.client()))")

        Progress.log("detect: \(measured.count) measured arrivals over \(Int(measureSeconds)) s, default settings")
        let free = try Self.measure(measured, on: daemon, simulator: simulator, durations: durations)
        daemon.stop()

        var budget: [String: [Measured]] = [:]
        for order in ["likeliest", "oldest"] {
            var tight = settings
            tight.rate = Self.tightRate
            tight.extra["TTSTRACK_POLL_BURST"] = "2"
            tight.extra["TTSTRACK_POLL_DUE_ORDER"] = order
            daemon = try BenchDaemon(settings: tight, directory: directory)
            _ = try daemon.waitUntilReady()
            Progress.log("detect: the same arrivals at poll.rate \(Self.tightRate), \(order) first")
            budget[order] = try Self.measure(measured, on: daemon, simulator: simulator, durations: durations)
            daemon.stop()
        }
        return Self.rows(free: free, budget: budget, kinds: kinds)
    }

    // MARK: Figures

    private static func rows(free: [Measured], budget: [String: [Measured]], kinds: [String]) -> [BenchRow] {
        var rows: [BenchRow] = []
        for kind in kinds {
            let tasks = free.filter { $0.kind == kind }
            let durations = tasks.map(\.duration)
            guard let law = laws[kind], !tasks.isEmpty else { continue }
            let calls = Double(tasks.map(\.calls).reduce(0, +)) / Double(tasks.count)
            let delays = tasks.map(\.delay)
            let loop5 = loop(every: 5, on: durations)
            let loop1 = loop(every: 1, on: durations)
            let oracle = DetectOracle(law: law, durations: durations)
            let limit = oracle.delay(atCalls: calls)
            let limitAtLoop5 = oracle.delay(atCalls: loop5.calls)
            let name = "\(kind) (\(law), \(tasks.count) tasks)"
            rows += [
                BenchRow(
                    figure: "\(name): calls per task (reference: 5 s loop)", value: calls, reference: loop5.calls,
                    target: .atMostTimesReference(1, referenceName: "5 s loop")),
                BenchRow(
                    figure: "\(name): mean delay s (reference: limit at the same calls)", value: mean(delays),
                    reference: limit, target: .atMostTimesReference(1.3, referenceName: "limit")),
                BenchRow(figure: "\(name): p90 delay s", value: percentile(delays, 0.9)),
                BenchRow(
                    figure: "\(name): 5 s loop: mean delay s (reference: limit at its calls)",
                    value: loop5.delay, reference: limitAtLoop5),
                BenchRow(figure: "\(name): 5 s loop: calls per task", value: loop5.calls),
                BenchRow(figure: "\(name): 5 s loop: p90 delay s", value: loop5.p90),
                BenchRow(figure: "\(name): 1 s loop: calls per task", value: loop1.calls),
                BenchRow(figure: "\(name): 1 s loop: mean delay s", value: loop1.delay),
                BenchRow(figure: "\(name): 1 s loop: p90 delay s", value: loop1.p90),
            ]
        }
        if let likeliest = budget["likeliest"], let oldest = budget["oldest"] {
            for kind in kinds + ["all"] {
                let ranked = likeliest.filter { kind == "all" || $0.kind == kind }
                let old = oldest.filter { kind == "all" || $0.kind == kind }
                guard !ranked.isEmpty, !old.isEmpty else { continue }
                rows.append(
                    BenchRow(
                        figure:
                            "poll.rate \(tightRate), \(kind): mean delay s, likeliest first (reference: oldest due first)",
                        value: mean(ranked.map(\.delay)), reference: mean(old.map(\.delay)),
                        // Ranked, short tasks (likelier finished per check) go before long ones:
                        // the judge is the delay of all tasks together.
                        target: kind == "all" ? .atMostTimesReference(1, referenceName: "oldest first") : .none))
                rows.append(
                    BenchRow(
                        figure: "poll.rate \(tightRate), \(kind): calls per task, likeliest first (reference: oldest)",
                        value: Double(ranked.map(\.calls).reduce(0, +)) / Double(ranked.count),
                        reference: Double(old.map(\.calls).reduce(0, +)) / Double(old.count)))
                rows.append(
                    BenchRow(
                        figure: "poll.rate \(tightRate), \(kind): p90 delay s, likeliest first (reference: oldest)",
                        value: percentile(ranked.map(\.delay), 0.9), reference: percentile(old.map(\.delay), 0.9)))
            }
        }
        return rows
    }

    /// A loop that checks every `period` seconds from each task's start.
    static func loop(every period: Double, on durations: [Double]) -> (calls: Double, delay: Double, p90: Double) {
        let checks = durations.map { max(1, ($0 / period).rounded(.up)) }
        let delays = zip(checks, durations).map { $0 * period - $1 }
        return (mean(checks), mean(delays), percentile(delays, 0.9))
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    // MARK: Driving the daemon

    /// Poisson arrivals over `seconds`, each kind equally likely.
    static func arrivals(seconds: Double, prefix: String, using random: inout SeededRandom) -> [Arrival] {
        var arrivals: [Arrival] = []
        var clock = 0.0
        let kinds = laws.keys.sorted()
        while true {
            clock += -log(Double.random(in: Double.ulpOfOne..<1, using: &random)) / arrivalRate
            guard clock < seconds else { return arrivals }
            let kind = kinds[Int.random(in: 0..<kinds.count, using: &random)]
            arrivals.append(Arrival(offset: clock, kind: kind, id: "\(prefix)-\(arrivals.count)"))
        }
    }

    /// Starts each arrival at its time (the simulator's clock and the daemon's Add); stops early
    /// when `enough` says so. Returns the arrivals started and their start times.
    static func replay(
        _ arrivals: [Arrival], on daemon: BenchDaemon, simulator: CambSimulator,
        until enough: ((VarlinkClient) throws(BenchError) -> Bool)? = nil
    ) throws(BenchError) -> [(arrival: Arrival, id: String, start: Timestamp)] {
        let client = try daemon.client()
        let begin = ContinuousClock.now
        var started: [(arrival: Arrival, id: String, start: Timestamp)] = []
        var lastLook = begin
        for arrival in arrivals {
            let due = begin + .milliseconds(Int64(arrival.offset * 1000))
            let wait = due - ContinuousClock.now
            if wait > .zero { BenchContext.sleep(wait) }
            simulator.startTask(arrival.id, kind: arrival.kind)
            let start = Timestamp.now()
            do {
                _ = try client.call(
                    "io.ttstrack.Tracker.Add", ["ids": [.string(arrival.id)], "kind": .string(arrival.kind)])
            } catch {
                throw BenchError("Add failed: \(error)")
            }
            started.append((arrival, arrival.id, start))
            if let enough, ContinuousClock.now - lastLook >= .seconds(2) {
                lastLook = .now
                if try enough(client) { break }
            }
        }
        return started
    }

    /// Replays `arrivals`, waits for all to be terminal, and measures each against the truth.
    static func measure(
        _ arrivals: [Arrival], on daemon: BenchDaemon, simulator: CambSimulator, durations: TaskDurations
    ) throws(BenchError) -> [Measured] {
        simulator.resetCounters()
        let started = try replay(arrivals, on: daemon, simulator: simulator)
        let tasks = try settle(started.map(\.id), on: daemon, timeout: .seconds(300))
        var measured: [Measured] = []
        for (arrival, id, start) in started {
            guard let task = tasks[id], let checked = task["checked_at"]?.stringValue.flatMap(parseTime),
                let duration = durations.duration(kind: arrival.kind, taskID: id)
            else { throw BenchError("task \(id) has no terminal check") }
            let finished = Double(start.rawValue) / 1000 + duration
            measured.append(
                Measured(
                    kind: arrival.kind, duration: duration,
                    calls: simulator.requestCount(taskID: id, kind: arrival.kind), delay: checked - finished))
        }
        try removeAll(started.map(\.id), on: daemon)
        return measured
    }

    /// Waits until every one of `ids` is terminal; returns their last Get.
    @discardableResult
    static func settle(
        _ ids: [String], on daemon: BenchDaemon, timeout: Duration
    ) throws(BenchError) -> [String:
        JSONValue]
    {
        let client = try daemon.client()
        let deadline = ContinuousClock.now + timeout
        while true {
            var tasks: [String: JSONValue] = [:]
            for start in stride(from: 0, to: ids.count, by: 1000) {
                let slice = ids[start..<min(start + 1000, ids.count)]
                do {
                    let reply = try client.call("io.ttstrack.Tracker.Get", ["ids": .array(slice.map(JSONValue.string))])
                    for task in reply["tasks"]?.arrayValue ?? [] {
                        if let id = task["task_id"]?.stringValue { tasks[id] = task }
                    }
                } catch {
                    throw BenchError("Get failed: \(error)")
                }
            }
            let open = ids.filter { tasks[$0]?["terminal"] != .bool(true) }
            if open.isEmpty { return tasks }
            guard ContinuousClock.now < deadline else {
                throw BenchError("\(open.count) tasks not terminal within \(timeout)")
            }
            BenchContext.sleep(.milliseconds(500))
        }
    }

    static func removeAll(_ ids: [String], on daemon: BenchDaemon) throws(BenchError) {
        do {
            _ = try daemon.client().call("io.ttstrack.Tracker.Remove", ["ids": .array(ids.map(JSONValue.string))])
        } catch {
            throw BenchError("Remove failed: \(error)")
        }
    }

    /// Stats' `schedule`: the kinds with a learned median.
    static func learned(_ client: VarlinkClient) throws(BenchError) -> [String: Double] {
        let reply: [String: JSONValue]
        do {
            reply = try client.call("io.ttstrack.Tracker.Stats")
        } catch {
            throw BenchError("Stats failed: \(error)")
        }
        return (reply["schedule"]?.objectValue ?? [:]).compactMapValues { $0["median"]?.doubleValue }
    }

    static func learnedText(_ client: VarlinkClient) throws(BenchError) -> String {
        let reply: [String: JSONValue]
        do {
            reply = try client.call("io.ttstrack.Tracker.Stats")
        } catch {
            throw BenchError("Stats failed: \(error)")
        }
        return (reply["schedule"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { kind, value in
            let median = value["median"]?.doubleValue.map { BenchTable.format($0) } ?? "-"
            let p90 = value["p90"]?.doubleValue.map { BenchTable.format($0) } ?? "-"
            return "\(kind): median \(median) s, p90 \(p90) s"
        }.joined(separator: "; ")
    }

    /// Seconds since 1970 of an RFC 3339 time in UTC with milliseconds (as the daemon writes).
    static func parseTime(_ text: String) -> Double? {
        let parts = text.split(whereSeparator: { "-T:.Z".contains($0) }).compactMap { Int($0) }
        guard parts.count == 7 else { return nil }
        var fields = tm()
        fields.tm_year = Int32(parts[0] - 1900)
        fields.tm_mon = Int32(parts[1] - 1)
        fields.tm_mday = Int32(parts[2])
        fields.tm_hour = Int32(parts[3])
        fields.tm_min = Int32(parts[4])
        fields.tm_sec = Int32(parts[5])
        return Double(timegm(&fields)) + Double(parts[6]) / 1000
    }

    // MARK: The simulator, in process

    static func startSimulator() throws(BenchError) -> CambSimulator {
        let simulator = CambSimulator(apiKey: SimulatorProcess.apiKey, recordRequests: false)
        let failure = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await simulator.start()
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
            done.signal()
        }
        done.wait()
        if let failure = failure.withLock({ $0 }) { throw BenchError("cannot start the simulator: \(failure)") }
        return simulator
    }

    static func stopSimulator(_ simulator: CambSimulator) {
        let done = DispatchSemaphore(value: 0)
        Task {
            try? await simulator.shutdown()
            done.signal()
        }
        done.wait()
    }
}
