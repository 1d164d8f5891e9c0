import CambSimulator
import Foundation
import TTSTrack
import TTSTrackTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Readiness, health and stop over `$NOTIFY_SOCKET`, socket activation, reload and credentials.
@Suite(.timeLimit(.minutes(1))) struct SystemdNotifyTests {
    @Test func readyStatusWatchdogAndStopping() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let listener = try NotifyListener(directory: directory)
        let simulator = CambSimulator(defaultBehavior: .alwaysPending)
        try await simulator.start()
        let daemon = try DaemonProcess(
            environment: [
                "NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "200000", "TTSTRACK_API_BASE_URL": simulator.baseURL,
                "CAMB_API_KEY": "sim-key",
            ], directory: directory)
        let ready = try #require(await listener.waitFor { $0 == "READY=1" })
        // READY=1 only once the socket answers.
        let client = try daemon.client()
        _ = try client.call("io.ttstrack.Tracker.Add", ["ids": ["a", "b"]])
        let status = try #require(await listener.waitFor { $0.hasPrefix("STATUS=") && $0.contains("2 pending") })
        #expect(status.text.contains("API ok"))
        #expect(status.at >= ready.at)
        try await Task.sleep(for: .milliseconds(600))
        let pings = listener.received.filter { $0.text == "WATCHDOG=1" }.map(\.at)
        #expect(pings.count >= 4, "WATCHDOG=1 every 100 ms: \(pings.count) in 600 ms")
        let gaps = zip(pings.dropFirst(), pings).map { $0 - $1 }
        #expect(
            gaps.allSatisfy { $0 >= .milliseconds(90) && $0 <= .seconds(1) }, "no faster than every 100 ms: \(gaps)")
        #expect(await daemon.stop() == 0)
        #expect(listener.received.contains { $0.text == "STOPPING=1" })
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "the socket file is removed")
        try await simulator.shutdown()
    }

    @Test func readyComesAfterTheSocketAnswers() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let listener = try NotifyListener(directory: directory)
        let daemon = try DaemonProcess(environment: ["NOTIFY_SOCKET": listener.path], directory: directory)
        _ = try #require(await listener.waitFor { $0 == "READY=1" })
        // At the moment READY=1 has arrived, the socket must already accept calls.
        let info = try daemon.client().call("org.varlink.service.GetInfo")
        #expect(info["product"] == "ttstrackd")
        #expect(await daemon.stop() == 0)
    }

    @Test func reloadAppliesANewRateAndRefusesABrokenConfig() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let listener = try NotifyListener(directory: directory)
        let simulator = CambSimulator(defaultBehavior: .alwaysPending)
        try await simulator.start()
        let config = "\(directory)/ttstrackd.yaml"
        func writeConfig(rate: String) throws {
            try """
            api:
              base_url: "\(simulator.baseURL)"
            poll:
              first_delay: 0
              min_interval: 0.01
              max_interval: 0.01
              jitter: 0
              rate: \(rate)
              burst: 1
            """.write(toFile: config, atomically: true, encoding: .utf8)
        }
        try writeConfig(rate: "2")
        let daemon = try DaemonProcess(
            environment: ["NOTIFY_SOCKET": listener.path, "CAMB_API_KEY": "sim-key"], arguments: ["--config", config],
            directory: directory)
        try await daemon.waitUntilReady()
        _ = try daemon.client().call("io.ttstrack.Tracker.Add", ["ids": .array((0..<50).map { .string("r\($0)") })])
        func rate(over window: Duration) async throws -> Double {
            let start = simulator.totalRequests()
            try await Task.sleep(for: window)
            return Double(simulator.totalRequests() - start) / window.seconds
        }
        _ = await simulator.waitForTotalRequests(count: 2, timeout: .seconds(20))
        let slow = try await rate(over: .seconds(1))
        #expect(slow <= 4, "rate 2/s: \(slow)")
        // A Wait in flight on an open connection, across the reload.
        let path = daemon.socketPath
        let waiter = Task {
            try await blocking {
                try VarlinkClient(path: path).call("io.ttstrack.Tracker.Wait", ["ids": ["r0"], "timeout": 30])
            }
        }
        try writeConfig(rate: "40")
        kill(daemon.pid, SIGHUP)
        _ = try #require(await listener.waitFor { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") })
        simulator.script("r0", [.success(runID: 40)])
        let waited = try await waiter.value
        #expect(waited["done"] == true, "the Wait survived the reload and was answered")
        try await Task.sleep(for: .milliseconds(200))
        let fast = try await rate(over: .seconds(1))
        #expect(fast >= 20, "rate 40/s after reload: \(fast)")
        try "api:\n  base_url: \"\(simulator.baseURL)\"\npoll:\n  rate: [not, a, number]\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.pid, SIGHUP)
        try await Task.sleep(for: .milliseconds(300))
        let kept = try await rate(over: .seconds(1))
        #expect(kept >= 20, "a broken config is refused and the old one kept: \(kept)")
        #expect(daemon.stderr.contains("Reload refused"))
        #expect(await daemon.stop() == 0)
        try await simulator.shutdown()
    }

    @Test func keyFromTheCredentialsDirectory() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let credentials = "\(directory)/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try "cred-key-42\n".write(toFile: "\(credentials)/camb-api-key", atomically: true, encoding: .utf8)
        let simulator = CambSimulator(apiKey: "cred-key-42", defaultBehavior: .successAfterChecks(0))
        try await DaemonFixture.with(
            environment: [
                "CREDENTIALS_DIRECTORY": credentials, "CAMB_API_KEY": "wrong", "TTSTRACK_POLL_FIRST_DELAY": "0",
            ],
            directory: directory, simulator: simulator
        ) { test in
            let path = test.socketPath
            let reply = try await blocking {
                let client = try VarlinkClient(path: path)
                _ = try client.call("io.ttstrack.Tracker.Add", ["ids": ["c1"]])
                return try client.call("io.ttstrack.Tracker.Wait", ["ids": ["c1"], "timeout": 10])
            }
            #expect(reply["done"] == true)
            #expect(simulator.recordedRequests().allSatisfy { $0.apiKey == "cred-key-42" })
            #expect(!test.daemon.stderr.contains("cred-key-42"), "the key is never logged")
            #expect(await test.daemon.stop() == 0)
        }
    }

    @Test func servesASocketHandedOverAsFD3() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let path = "\(directory)/activated.sock"
        // A small shim puts a listening socket at fd 3 and sets LISTEN_PID to the daemon's own
        // pid (exec keeps it), as systemd does.
        let binary = DaemonProcess.productsDirectory.appendingPathComponent("ttstrackd").path
        let shim = """
            import os, socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(sys.argv[1]); s.listen(16)
            if s.fileno() != 3: os.dup2(s.fileno(), 3)
            os.set_inheritable(3, True)
            os.environ["LISTEN_PID"] = str(os.getpid()); os.environ["LISTEN_FDS"] = "1"
            os.execv(sys.argv[2], [sys.argv[2]])
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", shim, path, binary]
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "TTSTRACK_STORE_PATH": "\(directory)/t.sqlite3", "TTSTRACK_CONTROL_SOCKET": "\(directory)/not-used.sock",
        ]
        process.standardError = FileHandle.nullDevice
        try launch(process)
        let client = try await {
            let deadline = ContinuousClock.now + .seconds(20)
            while true {
                if let client = try? VarlinkClient(path: path), (try? client.call("org.varlink.service.GetInfo")) != nil
                {
                    return client
                }
                if ContinuousClock.now > deadline || !process.isRunning { throw VarlinkClient.ClientError.closed }
                try await Task.sleep(for: .milliseconds(10))
            }
        }()
        let added = try client.call("io.ttstrack.Tracker.Add", ["ids": ["via-fd3"]])
        #expect(added["added"] == 1)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/not-used.sock"), "nothing else is bound")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    /// What the unit gives the daemon when /etc/ttstrack/api-key is missing: the blank
    /// `SetCredential=camb-api-key:\n` default. It runs, and STATUS= and the log say there is no key.
    @Test func withoutAKeyItRunsAndSaysSoInStatusAndLog() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let listener = try NotifyListener(directory: directory)
        let credentials = "\(directory)/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try "\n".write(toFile: "\(credentials)/camb-api-key", atomically: true, encoding: .utf8)
        let keyFile = "\(directory)/api-key"
        let daemon = try DaemonProcess(
            environment: [
                "NOTIFY_SOCKET": listener.path, "CREDENTIALS_DIRECTORY": credentials, "TTSTRACK_API_KEY_FILE": keyFile,
            ], directory: directory)
        #expect(await listener.waitFor { $0 == "READY=1" } != nil)
        _ = try daemon.client().call("io.ttstrack.Tracker.Add", ["ids": ["kept"]])
        let status = await listener.waitFor { $0.hasPrefix("STATUS=1 pending") }
        #expect(status?.text.hasSuffix(", no API key: create \(keyFile)") == true, "\(String(describing: status))")
        #expect(await daemon.stop() == 0)
        #expect(daemon.stderr.contains("No API key set"), "\(daemon.stderr)")
        #expect(daemon.stderr.contains(keyFile))
    }

    @Test func logLinesCarryJournalPrioritiesUnderSystemd() async throws {
        let daemon = try DaemonProcess(environment: ["JOURNAL_STREAM": "8:12345"])
        try await daemon.waitUntilReady()
        #expect(await daemon.stop() == 0)
        let lines = daemon.stderr.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("<6>Ready") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<3>No API key") })
        #expect(lines.allSatisfy { $0.hasPrefix("<") }, "every line has a priority and no timestamp")
    }

    @Test func stopAbandonsHangingChecksInTimeAndTheTasksStayDue() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            test.simulator.script("stuck", [.hang])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["stuck"]])
            #expect(await test.simulator.waitForRequests(taskID: "stuck", count: 1, timeout: .seconds(10)))
            let stopping = ContinuousClock.now
            #expect(await test.daemon.stop() == 0)
            #expect(ContinuousClock.now - stopping < .seconds(15), "well inside TimeoutStopSec=30")
            test.simulator.script("stuck", [.success(runID: 8)])
            try await test.restart()
            let waited = try await test.call("io.ttstrack.Tracker.Wait", ["ids": ["stuck"], "timeout": 20])
            #expect(waited["tasks"]?.array?.first?["run_id"] == 8, "the abandoned check left the task due")
        }
    }
}
