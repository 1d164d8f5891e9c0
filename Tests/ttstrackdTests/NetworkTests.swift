import CambSimulator
import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// The daemon binary against an HTTPS simulator and a proxy: what the operator sees in
/// `Stats`, the log and `STATUS=` when the API cannot be reached, and that secrets stay put.
@Suite(.timeLimit(.minutes(1))) struct NetworkTests {
    @Test func certificateProblemsShowInStatsTheLogAndStatusWithinASecond() async throws {
        let certificates = try TestCertificates.make()
        let simulator = CambSimulator(apiKey: "sim-key", defaultBehavior: .successAfterChecks(0))
        try await simulator.start(
            tls: SimTLS(certificateFile: certificates.selfSigned.certificate, keyFile: certificates.selfSigned.key))
        let directory = DaemonProcess.makeTemporaryDirectory()
        let listener = try NotifyListener(directory: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await DaemonFixture.with(
            environment: [
                "NOTIFY_SOCKET": listener.path, "TTSTRACK_POLL_FIRST_DELAY": "0",
                "TTSTRACK_API_CA_FILE": certificates.caFile,
            ], directory: directory, simulator: simulator
        ) { test in
            let untrusted =
                "certificate of 127.0.0.1 not trusted: no CA in the system's trust store or api.ca_file signed it"
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["t1"]])
            // The first attempt also makes the daemon's TLS context, which reads the system trust
            // store (slow in a debug build on a loaded machine): not timed.
            try await eventually(timeout: .seconds(10), "Stats.api_error names the certificate problem") {
                try await test.call("io.ttstrack.Tracker.Stats")["api_error"]?.stringValue == untrusted
            }
            #expect(
                await listener.waitFor(timeout: .seconds(5)) { $0.contains("API unreachable: \(untrusted)") } != nil)
            try await eventually { try await test.call("io.ttstrack.Tracker.Stats")["checks_failed"]?.int ?? 0 >= 4 }

            // The same address now presents an expired certificate: each place tells the change
            // within a second of the next attempt (checks are 0.05-0.2 s apart).
            let port = simulator.port
            try await simulator.shutdown()
            let expiredServer = CambSimulator(apiKey: "sim-key", defaultBehavior: .successAfterChecks(0))
            try await expiredServer.start(
                port: port,
                tls: SimTLS(certificateFile: certificates.expired.certificate, keyFile: certificates.expired.key))
            let changed = ContinuousClock.now
            try await eventually(timeout: .seconds(1.2), "Stats.api_error says expired") {
                try await test.call("io.ttstrack.Tracker.Stats")["api_error"]?.stringValue?.hasPrefix(
                    "certificate of 127.0.0.1 expired: valid until ") == true
            }
            let status = await listener.waitFor(timeout: .seconds(2)) {
                $0.hasPrefix("STATUS=") && $0.contains("API unreachable: certificate of 127.0.0.1 expired")
            }
            #expect(status.map { $0.at - changed < .milliseconds(1200) } == true, "STATUS= within a second")
            try await eventually { try await test.call("io.ttstrack.Tracker.Stats")["checks_failed"]?.int ?? 0 >= 8 }

            let stats = try await test.call("io.ttstrack.Tracker.Stats")
            #expect(stats["api_state"]?.stringValue == "unreachable")
            let lines = test.daemon.stderr.split(separator: "\n").filter { $0.contains("certificate of 127.0.0.1") }
            #expect(lines.count == 2, "one line per change, not per check: \(lines)")
            #expect(lines.allSatisfy { $0.contains("API unreachable") })
            let task = try await test.call("io.ttstrack.Tracker.Get", ["ids": ["t1"]])["tasks"]?.array?.first
            #expect(task?["status"]?.stringValue == "PENDING", "no task changes")
            #expect(task?["run_id"] == nil || task?["run_id"] == JSONValue.null)
            #expect(simulator.totalRequests() == 0 && expiredServer.totalRequests() == 0)
            #expect(!test.daemon.stderr.contains(".build/") && !test.daemon.stderr.contains("BoringSSL"))
            #expect(await test.daemon.stop() == 0)
            try await expiredServer.shutdown()
        }
    }

    @Test func proxyCredentialsNeverAppearInLogsOrReplies() async throws {
        let secret = "pr0xy-SECRET-77"
        let certificates = try TestCertificates.make()
        let simulator = CambSimulator(apiKey: "sim-key", defaultBehavior: .alwaysPending)
        try await simulator.start(
            tls: SimTLS(certificateFile: certificates.valid.certificate, keyFile: certificates.valid.key))
        let proxy = ConnectProxy(requiredAuthorization: "Basic bm90OnRoaXM=")
        try await proxy.start()
        try await DaemonFixture.with(
            environment: [
                "TTSTRACK_LOG_LEVEL": "trace", "TTSTRACK_API_CA_FILE": certificates.caFile,
                "https_proxy": proxy.url(credentials: "carol:\(secret)"),
            ], simulator: simulator
        ) { test in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["p1"]])
            let expected = "the proxy 127.0.0.1:\(proxy.port) asks for credentials (HTTP 407)"
            try await eventually(timeout: .seconds(5)) {
                try await test.call("io.ttstrack.Tracker.Stats")["api_error"]?.stringValue == expected
            }
            #expect(
                proxy.requests().first?.authorization == "Basic " + Data("carol:\(secret)".utf8).base64EncodedString())
            var replies = try await test.call("io.ttstrack.Tracker.Stats").description
            replies += try await test.call("io.ttstrack.Tracker.Get", ["ids": ["p1"]]).description
            #expect(await test.daemon.stop() == 0)
            let log = test.daemon.stderr + test.daemon.stdout
            #expect(log.contains("http://***@127.0.0.1:\(proxy.port)"), "the proxy is named, its credentials masked")
            for text in [replies, log] {
                #expect(!text.contains(secret))
                #expect(!text.contains(Data("carol:\(secret)".utf8).base64EncodedString()))
            }
        }
        try await proxy.shutdown()
    }
}
