import CambSimulator
import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `metrics.listen`: `/metrics` as Prometheus reads it (parsed by the PyPI `prometheus_client`
/// parser), its figures the same as `Stats` says; nothing listens when the key is empty; a bad
/// address or a port in use stops the start with a clear message.
@Suite(.timeLimit(.minutes(2))) struct MetricsTests {
    @Test func aScrapeHasEveryFamilyAndAgreesWithStats() async throws {
        let port = try freeLoopbackPort()
        try await DaemonFixture.with(environment: ["TTSTRACK_METRICS_LISTEN": "127.0.0.1:\(port)"]) { test in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["m-1", "m-2", "m-3", "sim-404-1"]])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["d-1", "d-2"], "kind": "dub"])
            // Settled: every task terminal, so no check is in flight and the counts stand still.
            try await eventually(timeout: .seconds(60)) {
                let tasks = try await test.call("io.ttstrack.Tracker.Stats")["tasks"]
                return tasks?["SUCCESS"] == 5 && tasks?["NOT_FOUND"] == 1
            }
            let stats = try await test.call("io.ttstrack.Tracker.Stats")
            let scrape = try await Scrape.take(port: port)

            #expect(scrape.contentType == "text/plain; version=0.0.4; charset=utf-8")
            #expect(scrape.elsewhere == 404 && scrape.post == 405)
            // The parser names a counter without its _total.
            let expected: [String: String] = [
                "ttstrack_tasks": "gauge", "ttstrack_checks": "counter", "ttstrack_check_duration_seconds": "histogram",
                "ttstrack_api_state": "gauge", "ttstrack_rate_limit_pauses": "counter", "ttstrack_results": "counter",
                "ttstrack_result_bytes": "counter", "ttstrack_deliveries": "counter",
                "ttstrack_control_connections": "gauge", "ttstrack_control_connections_accepted": "counter",
                "ttstrack_schedule_finishes": "gauge", "ttstrack_add_duration_seconds": "histogram",
                "ttstrack_add_commit_duration_seconds": "histogram", "ttstrack_add_commit_ids": "counter",
            ]
            for (name, type) in expected {
                #expect(scrape.families[name]?["type"]?.stringValue == type, "family \(name) of type \(type)")
                #expect(scrape.families[name]?["help"]?.stringValue?.isEmpty == false, "help text of \(name)")
            }

            // Tasks by status and kind: per status the same as Stats.tasks.
            #expect(scrape.value("ttstrack_tasks", ["status": "SUCCESS", "kind": "tts"]) == 3)
            #expect(scrape.value("ttstrack_tasks", ["status": "SUCCESS", "kind": "dub"]) == 2)
            var byStatus: [String: Double] = [:]
            for sample in scrape.samples("ttstrack_tasks") {
                byStatus[sample.labels["status"] ?? "", default: 0] += sample.value
            }
            let statsTasks = (stats["tasks"]?.objectValue ?? [:]).mapValues { Double($0.int ?? -1) }
            #expect(byStatus == statsTasks)

            // Checks by outcome: the sum is checks_total, the failures checks_failed.
            let checks = scrape.samples("ttstrack_checks")
            let total = checks.reduce(0) { $0 + $1.value }
            let failed = checks.filter { !["status", "not_found"].contains($0.labels["outcome"]) }
                .reduce(0) { $0 + $1.value }
            #expect(total == Double(stats["checks_total"]?.int ?? -1) && total >= 9)
            #expect(failed == Double(stats["checks_failed"]?.int ?? -1))
            #expect(scrape.value("ttstrack_checks_total", ["outcome": "not_found"]) ?? 0 >= 1)
            let timed = scrape.samples("ttstrack_check_duration_seconds").first { $0.name.hasSuffix("_count") }
            #expect(timed?.value == total, "every check timed")

            // Two Add calls of 4 and 2 ids, one after the other: each timed, each its own commit.
            let calls = scrape.samples("ttstrack_add_duration_seconds").first { $0.name.hasSuffix("_count") }
            #expect(calls?.value == 2, "every Add timed")
            let commits = scrape.samples("ttstrack_add_commit_duration_seconds").first { $0.name.hasSuffix("_count") }
            #expect(commits?.value == 2, "every group commit timed")
            #expect(scrape.value("ttstrack_add_commit_ids_total", [:]) == 6)

            #expect(scrape.value("ttstrack_api_state", ["state": "ok"]) == 1)
            #expect(scrape.samples("ttstrack_api_state").filter { $0.value == 0 }.count == 3)
            #expect(scrape.value("ttstrack_rate_limit_pauses_total", [:]) == 0)
            #expect(scrape.samples("ttstrack_deliveries").count == 6, "hooks|webhooks × delivered|retried|failed")
            #expect(scrape.value("ttstrack_control_connections_accepted_total", [:]) ?? 0 >= 3)
            #expect(scrape.value("ttstrack_control_connections", [:]) ?? -1 >= 0)
            #expect(try listeningTCPSockets(pid: test.daemon.pid) == 1, "the metrics socket, and nothing else")
        }
    }

    /// As on the control socket: a scrape connection accepted but not yet served when SIGTERM
    /// came used to trap the daemon (exit 132) once graceful shutdown dropped it. More than
    /// ``MetricsServer/maxConnections`` connect, so that those the server had taken by then may
    /// be refused meanwhile too.
    @Test func aStopWithConnectionsWaitingToBeServedExitsCleanly() async throws {
        let port = try freeLoopbackPort()
        try await DaemonFixture.with(environment: ["TTSTRACK_METRICS_LISTEN": "127.0.0.1:\(port)"]) { test in
            for round in 0..<5 {
                if round > 0 { try await test.restart() }
                let sockets = try await blocking { try openDescriptors(40) { try connectLoopback(port: port) } }
                defer { sockets.forEach { close($0) } }
                let status = await test.daemon.stop()
                #expect(status == 0, "round \(round): SIGTERM stops the daemon cleanly")
            }
        }
    }

    @Test func nothingListensWhenTheKeyIsEmpty() async throws {
        try await DaemonFixture.with(environment: ["TTSTRACK_METRICS_LISTEN": ""]) { test in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["quiet-1"]])
            #expect(try listeningTCPSockets(pid: test.daemon.pid) == 0)
        }
    }

    @Test func aBadAddressIsRefusedWithAClearMessage() async throws {
        for bad in ["9464", "localhost", "127.0.0.1:", "127.0.0.1:http", "::1:9464", "127.0.0.1:70000"] {
            let daemon = try DaemonProcess(environment: ["TTSTRACK_METRICS_LISTEN": bad])
            #expect(await daemon.waitForExit() == 78, "\(bad)")
            #expect(daemon.stderr.contains("metrics.listen must be host:port"), "\(bad): \(daemon.stderr)")
        }
    }

    @Test func aPortInUseStopsTheStartWithAClearMessage() async throws {
        let holder = try ListeningSocket()
        defer { holder.close() }
        let daemon = try DaemonProcess(environment: ["TTSTRACK_METRICS_LISTEN": "127.0.0.1:\(holder.port)"])
        #expect(await daemon.waitForExit() == 1)
        #expect(
            daemon.stderr.contains("cannot listen for metrics on 127.0.0.1:\(holder.port) (metrics.listen)"),
            "\(daemon.stderr)")
        #expect(daemon.stderr.contains("Address already in use"))
    }

    @Test func ipv6AndNamesAreServedToo() async throws {
        for host in ["[::1]", "localhost"] {
            let port = try freeLoopbackPort()
            try await DaemonFixture.with(environment: ["TTSTRACK_METRICS_LISTEN": "\(host):\(port)"]) { test in
                let scrape = try await Scrape.take(port: port, host: host)
                #expect(scrape.families["ttstrack_tasks"] != nil || scrape.families["ttstrack_api_state"] != nil)
            }
        }
    }
}

/// One scrape, as the Python script reports it.
/// Shared with the delivery and adaptive schedule tests.
struct Scrape {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var contentType: String
    var families: [String: JSONValue]
    var elsewhere: Int64
    var post: Int64

    static func take(port: Int, host: String = "127.0.0.1") async throws -> Scrape {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("python/scrape_metrics.py").path
        let result = try await blocking { runCommand("python3", script, "http://\(host):\(port)") }
        try #require(
            result.status == 0, "the scrape failed (install the parser with `pip install prometheus_client`)")
        let report = try JSONParser.parse(Array(result.output.utf8))
        return Scrape(
            contentType: report["content_type"]?.stringValue ?? "", families: report["families"]?.objectValue ?? [:],
            elsewhere: report["elsewhere"]?.int ?? 0, post: report["post"]?.int ?? 0)
    }

    func samples(_ family: String) -> [Sample] {
        (families[family]?["samples"]?.array ?? []).map { sample in
            Sample(
                name: sample["name"]?.stringValue ?? "",
                labels: (sample["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
                value: sample["value"]?.doubleValue ?? .nan)
        }
    }

    /// The value of the sample named `name` with exactly `labels`.
    func value(_ name: String, _ labels: [String: String]) -> Double? {
        families.keys.lazy.flatMap { samples($0) }.first { $0.name == name && $0.labels == labels }?.value
    }
}

/// TCP sockets of process `pid` in the LISTEN state, IPv4 and IPv6.
private func listeningTCPSockets(pid: Int32) throws -> Int {
    var listening: Set<String> = []
    for table in ["/proc/\(pid)/net/tcp", "/proc/\(pid)/net/tcp6"] {
        let text = (try? String(contentsOfFile: table, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
            if fields.count > 9, fields[3] == "0A" { listening.insert(String(fields[9])) }
        }
    }
    let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
    return descriptors.filter { fd in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
            target.hasPrefix("socket:[")
        else { return false }
        return listening.contains(String(target.dropFirst(8).dropLast()))
    }.count
}
