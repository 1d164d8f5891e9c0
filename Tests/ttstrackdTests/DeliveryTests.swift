import CambSimulator
import Crypto
import Foundation
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// Delivery when a task ends, against the simulator: hooks (a shell script the test writes,
/// which records what it got) and webhooks (a local receiver that checks nothing itself: the
/// test verifies each signature independently with the secret).
@Suite(.timeLimit(.minutes(3))) struct DeliveryTests {
    /// A hook script in `directory`: `#!/bin/sh`, the directory as `$DIR`, then `body`.
    static func writeHook(_ directory: String, _ body: String, name: String = "hook") throws -> String {
        let path = "\(directory)/\(name).sh"
        try "#!/bin/sh\nDIR='\(directory)'\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    /// A fresh signing secret in `directory`, as Standard Webhooks write them: `whsec_` and base64.
    static func writeSecret(_ directory: String) throws -> (path: String, key: [UInt8]) {
        let key = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let path = "\(directory)/webhook-secret"
        try "whsec_\(Data(key).base64EncodedString())\n".write(toFile: path, atomically: true, encoding: .utf8)
        return (path, key)
    }

    /// The signature a receiver expects, computed here with swift-crypto.
    static func expectedSignature(_ request: WebhookReceiver.Request, key: [UInt8]) -> String {
        let signed = Data("\(request.id ?? "").\(request.headers["webhook-timestamp"] ?? "").".utf8) + request.body
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    static func deliveries(_ test: DaemonFixture) async throws -> [String: Int64] {
        let stats = try await test.call("io.ttstrack.Tracker.Stats")
        guard case .object(let counts)? = stats["deliveries"] else { return [:] }
        return counts.compactMapValues(\.int)
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Starts a receiver and a daemon posting to it, with a fresh secret.
    static func withWebhooks(
        _ receiver: WebhookReceiver, _ extra: [String: String] = [:], hook: String? = nil,
        _ body: (DaemonFixture, [UInt8]) async throws -> Void
    ) async throws {
        try await receiver.start()
        let directory = DaemonProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let secret = try writeSecret(directory)
        var environment = [
            "TTSTRACK_WEBHOOKS_URL": receiver.url, "TTSTRACK_WEBHOOKS_SECRET_FILE": secret.path,
            "TTSTRACK_WEBHOOKS_TIMEOUT": "1",
        ]
        environment.merge(extra) { _, new in new }
        do {
            try await DaemonFixture.with(environment: environment, directory: directory) { test in
                try await body(test, secret.key)
            }
        } catch {
            try? await receiver.shutdown()
            throw error
        }
        try await receiver.shutdown()
    }

    @Test func aHookGetsTheTaskOnStandardInputAndItsFieldsInTheEnvironment() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hook = try Self.writeHook(
            directory, #"cat > "$DIR/$TTSTRACK_TASK_ID.stdin"; env > "$DIR/$TTSTRACK_TASK_ID.env""#)
        try await DaemonFixture.with(environment: ["TTSTRACK_HOOKS_EXEC": hook], directory: directory) { test in
            test.simulator.script("hooked", [.pending, .success(runID: 4242)])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["hooked"])])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["sim-error-1"]), "tag": "batch-7"])
            try await eventually("both hooks ran") {
                let pending = try await Self.deliveries(test)["hooks.pending"]
                return pending == 0 && FileManager.default.fileExists(atPath: "\(directory)/hooked.env")
                    && FileManager.default.fileExists(atPath: "\(directory)/sim-error-1.env")
            }
            let environment = Self.lines("\(directory)/hooked.env")
            for variable in [
                "TTSTRACK_TASK_ID=hooked", "TTSTRACK_KIND=tts", "TTSTRACK_STATUS=SUCCESS", "TTSTRACK_RUN_ID=4242",
            ] {
                #expect(environment.contains(variable), "\(variable) in \(environment)")
            }
            #expect(!environment.contains { $0.hasPrefix("TTSTRACK_RESULT_PATH=") }, "null fields are unset")
            #expect(!environment.contains { $0.hasPrefix("TTSTRACK_TAG=") }, "no tag given")
            #expect(Self.lines("\(directory)/sim-error-1.env").contains("TTSTRACK_TAG=batch-7"))
            #expect(!environment.contains { $0.contains(DaemonFixture.apiKey) }, "the API key never reaches a hook")
            let failed = Self.lines("\(directory)/sim-error-1.env")
            #expect(failed.contains("TTSTRACK_STATUS=ERROR") && !failed.contains { $0.hasPrefix("TTSTRACK_RUN_ID=") })
            let input = try String(contentsOfFile: "\(directory)/hooked.stdin", encoding: .utf8)
            let reply = try await test.call("io.ttstrack.Tracker.Get", ["ids": ids(["hooked"])])
            let task = try #require(reply["tasks"]?.array?.first)
            #expect(try JSONParser.parse(input) == task, "standard input is the task, as Get returns it")
            #expect(
                try await Self.deliveries(test) == [
                    "hooks.pending": 0, "hooks.failed": 0, "webhooks.pending": 0, "webhooks.failed": 0,
                ])
        }
    }

    @Test func withResultsOnTheHookRunsOnceTheResultIsOnDisk() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hook = try Self.writeHook(
            directory, #"test -s "$TTSTRACK_RESULT_PATH" && echo "$TTSTRACK_RESULT_PATH" >> "$DIR/seen""#)
        let environment = ["TTSTRACK_HOOKS_EXEC": hook, "TTSTRACK_RESULTS_DIR": "\(directory)/results"]
        try await DaemonFixture.with(environment: environment, directory: directory) { test in
            test.simulator.script("fetched", [.success(runID: 77)])
            test.simulator.scriptResult(
                runID: 77,
                [.delayed(.milliseconds(500), .http(200, headers: [("content-type", "audio/flac")], body: "fLaC-x"))])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["fetched"])])
            try await eventually("the hook ran") { !Self.lines("\(directory)/seen").isEmpty }
            #expect(Self.lines("\(directory)/seen") == ["\(directory)/results/fetched.flac"])
        }
    }

    @Test func aFailingHookIsRetriedWithGrowingGapsThenGivenUpOnce() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hook = try Self.writeHook(directory, #"date +%s.%N >> "$DIR/attempts"; echo "no disk space"; exit 3"#)
        let port = try freeLoopbackPort()
        let environment = [
            "TTSTRACK_HOOKS_EXEC": hook, "TTSTRACK_HOOKS_MAX_ATTEMPTS": "3",
            "TTSTRACK_METRICS_LISTEN": "127.0.0.1:\(port)",
        ]
        try await DaemonFixture.with(environment: environment, directory: directory) { test in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["refused"])])
            try await eventually("the delivery was given up") { (try await Self.deliveries(test))["hooks.failed"] == 1 }
            #expect((try await Self.deliveries(test))["hooks.pending"] == 0)
            let times = Self.lines("\(directory)/attempts").compactMap(Double.init)
            #expect(times.count == 3, "hooks.max_attempts attempts: \(times)")
            if times.count == 3 {
                #expect(times[1] - times[0] >= 0.9, "1 s after the first failure")
                #expect(times[2] - times[1] >= 1.9, "then 2 s")
            }
            let log = test.daemon.stderr.split(separator: "\n")
            #expect(log.filter { $0.contains("Delivery given up") }.count == 1, "logged once at warning")
            #expect(log.filter { $0.contains("no disk space") }.count == 3, "its output, one line per attempt")
            let scrape = try await Scrape.take(port: port)
            for (outcome, count) in [("retried", 2.0), ("failed", 1), ("delivered", 0)] {
                #expect(scrape.value("ttstrack_deliveries_total", ["target": "hooks", "outcome": outcome]) == count)
            }
        }
    }

    @Test func aHookPastItsTimeoutIsKilledWithItsChildren() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hook = try Self.writeHook(
            directory, #"sleep 300 & echo $! > "$DIR/child.pid"; echo $$ > "$DIR/hook.pid"; wait"#)
        let environment = [
            "TTSTRACK_HOOKS_EXEC": hook, "TTSTRACK_HOOKS_TIMEOUT": "1", "TTSTRACK_HOOKS_MAX_ATTEMPTS": "1",
        ]
        try await DaemonFixture.with(environment: environment, directory: directory) { test in
            let started = ContinuousClock.now
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["stuck"])])
            try await eventually("the delivery was given up") { (try await Self.deliveries(test))["hooks.failed"] == 1 }
            #expect(ContinuousClock.now - started >= .seconds(1))
            for name in ["hook.pid", "child.pid"] {
                let pid = try #require(Self.lines("\(directory)/\(name)").first.flatMap { Int32($0) })
                try await eventually("\(name) is gone") {
                    // Gone, or a zombie waiting for whoever adopted it.
                    (ProcFS.statFields("/proc/\(pid)/stat")?.first ?? "Z") == "Z"
                }
            }
            #expect(test.daemon.stderr.contains("ran past hooks.timeout"))
        }
    }

    @Test func aWebhookIsSignedAsStandardWebhooksAre() async throws {
        let receiver = WebhookReceiver()
        try await Self.withWebhooks(receiver) { test, key in
            test.simulator.script("posted", [.success(runID: 9)])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["posted"])])
            try await eventually("the webhook arrived") { receiver.delivered == 1 }
            let request = try #require(receiver.requests().first)
            #expect(request.id?.hasPrefix("msg_") == true)
            let timestamp = try #require(request.headers["webhook-timestamp"].flatMap { Double($0) })
            #expect(abs(timestamp - Date().timeIntervalSince1970) < 60, "the attempt's time, in Unix seconds")
            #expect(request.headers["webhook-signature"] == Self.expectedSignature(request, key: key))
            #expect(request.headers["content-type"] == "application/json")
            let payload = try JSONParser.parse(request.body)
            #expect(payload["type"] == "task.terminal")
            #expect(payload["timestamp"]?.stringValue?.hasSuffix("Z") == true)
            let task = try await test.call("io.ttstrack.Tracker.Get", ["ids": ids(["posted"])])["tasks"]?.array?.first
            #expect(payload["data"] == task, "data is the task, as Get returns it")
            try await eventually("nothing is pending") { (try await Self.deliveries(test))["webhooks.pending"] == 0 }
            #expect(!test.daemon.stderr.contains(Data(key).base64EncodedString()), "the secret is never logged")
        }
    }

    @Test func webhookRetriesAfterAnErrorAndATimeoutKeepTheirIdAndBody() async throws {
        let receiver = WebhookReceiver()
        receiver.script([.status(500), .hang, .status(204)])
        try await Self.withWebhooks(receiver) { test, key in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["retried"])])
            try await eventually("the third attempt was answered 2xx") { receiver.delivered == 1 }
            let requests = receiver.requests()
            #expect(requests.count == 3)
            #expect(Set(requests.map(\.id)).count == 1, "one webhook-id for every attempt")
            #expect(Set(requests.map(\.body)).count == 1, "the same bytes every time")
            for request in requests {
                #expect(request.headers["webhook-signature"] == Self.expectedSignature(request, key: key))
            }
            if requests.count == 3 {
                #expect(requests[1].at - requests[0].at >= .milliseconds(900), "1 s after the 500")
                #expect(requests[2].at - requests[1].at >= .milliseconds(2900), "the 1 s timeout, then 2 s")
            }
            try await eventually("nothing is pending") { (try await Self.deliveries(test))["webhooks.pending"] == 0 }
            #expect((try await Self.deliveries(test))["webhooks.failed"] == 0)
        }
    }

    @Test func aTwoHundredWhoseBodyIsCutIsDeliveredNotRetried() async throws {
        // The receiver accepted (its 2xx head came); what follows the head must not undo that.
        let receiver = WebhookReceiver()
        receiver.script([.headThenClose(200)])
        try await Self.withWebhooks(receiver) { test, _ in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["cut-body"])])
            try await eventually("delivered") {
                try await Self.deliveries(test)["webhooks.pending"] == 0 && !receiver.requests().isEmpty
            }
            #expect(receiver.requests().count == 1, "one POST, no retry")
            #expect((try await Self.deliveries(test))["webhooks.failed"] == 0)
        }
    }

    @Test func aHeadWhoseBodyStallsEndsWithinTheTimeoutAndItsStatusDecides() async throws {
        // Each head promises a body that never comes; the 1 s timeout ends the read, and then a
        // 500 is tried again and a 200 delivered, where a wait without end would hold both.
        let receiver = WebhookReceiver()
        receiver.script([.headThenStall(500), .headThenStall(200)])
        try await Self.withWebhooks(receiver) { test, _ in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["stalled-body"])])
            try await eventually("the second attempt was delivered") {
                try await Self.deliveries(test)["webhooks.pending"] == 0 && receiver.requests().count == 2
            }
            #expect(receiver.requests().count == 2, "the 500 once more, the 200 not again")
            #expect((try await Self.deliveries(test))["webhooks.failed"] == 0)
        }
    }

    @Test func goneStopsTheRetries() async throws {
        let receiver = WebhookReceiver(answer: .status(410))
        try await Self.withWebhooks(receiver) { test, _ in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["gone"])])
            try await eventually("the delivery was given up") {
                (try await Self.deliveries(test))["webhooks.failed"] == 1
            }
            #expect(receiver.requests().count == 1)
            #expect((try await Self.deliveries(test))["webhooks.pending"] == 0)
            #expect(test.daemon.stderr.contains("Delivery given up"))
        }
    }

    @Test func aKillBetweenATasksEndAndItsDeliveryDeliversItOnceMoreAfterRestart() async throws {
        let receiver = WebhookReceiver(answer: .hang)
        let directory = DaemonProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The hook records each start, then waits until the test lets it finish.
        let hook = try Self.writeHook(
            directory, #"echo "$TTSTRACK_TASK_ID" >> "$DIR/starts"; while [ ! -f "$DIR/go" ]; do sleep 0.05; done"#)
        try await Self.withWebhooks(receiver, ["TTSTRACK_WEBHOOKS_TIMEOUT": "60", "TTSTRACK_HOOKS_EXEC": hook]) {
            test, _ in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["crash"])])
            try await eventually("both deliveries are under way") {
                receiver.requests().count == 1 && Self.lines("\(directory)/starts").count == 1
            }
            _ = await test.daemon.stop(signal: SIGKILL)
            receiver.setAnswer(.status(200))
            #expect(FileManager.default.createFile(atPath: "\(directory)/go", contents: nil))
            try await test.restart()
            try await eventually("both were delivered after the restart") {
                let counts = try await Self.deliveries(test)
                return receiver.delivered == 1 && counts["hooks.pending"] == 0 && counts["webhooks.pending"] == 0
            }
            #expect(receiver.requests().count == 2, "once before the kill, once after")
            #expect(Set(receiver.requests().map(\.id)).count == 1, "the same delivery")
            #expect(Self.lines("\(directory)/starts") == ["crash", "crash"])
        }
    }

    @Test func aThousandTasksEndingAtOnceAreAllDeliveredAtTheConfiguredConcurrency() async throws {
        let receiver = WebhookReceiver(answer: .delayed(.milliseconds(20), 200))
        let directory = DaemonProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: "\(directory)/inflight", withIntermediateDirectories: true)
        // Each run marks itself in flight, counts the marks (its own included), and unmarks.
        let hook = try Self.writeHook(
            directory,
            #"""
            : > "$DIR/inflight/$TTSTRACK_TASK_ID"
            set -- "$DIR"/inflight/*
            echo "$# $TTSTRACK_TASK_ID" >> "$DIR/runs"
            sleep 0.05
            rm -f "$DIR/inflight/$TTSTRACK_TASK_ID"
            """#)
        let names = (0..<1000).map { "many-\($0)" }
        let environment = [
            "TTSTRACK_HOOKS_EXEC": hook, "TTSTRACK_HOOKS_CONCURRENCY": "4", "TTSTRACK_WEBHOOKS_CONCURRENCY": "8",
            "TTSTRACK_WEBHOOKS_TIMEOUT": "10",
        ]
        try await Self.withWebhooks(receiver, environment) { test, _ in
            test.simulator.setDefaultBehavior(.successAfterChecks(0))
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(names)])
            try await eventually(timeout: .seconds(150), "every delivery was made") {
                let counts = try await Self.deliveries(test)
                return receiver.delivered == names.count && counts["hooks.pending"] == 0
                    && counts["webhooks.pending"] == 0
            }
            let runs = Self.lines("\(directory)/runs").map { $0.split(separator: " ") }
            #expect(Set(runs.map { String($0[1]) }) == Set(names), "every task's hook ran")
            let hooksInFlight = runs.compactMap { Int($0[0]) }.max()
            #expect(hooksInFlight == 4, "hooks.concurrency at once, never more")
            #expect(receiver.maxInFlight == 8, "webhooks.concurrency at once, never more")
            #expect(Set(receiver.requests().compactMap(\.id)).count == names.count)
            #expect((try await Self.deliveries(test)).values.allSatisfy { $0 == 0 })
        }
    }

    @Test func aWebhookURLWithoutAUsableSecretStopsTheStartNamingTheFile() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cases: [(String?, String)] = [
            (nil, "webhooks.secret_file is not"),
            ("", "is empty"),
            ("whsec_not base64!", "does not hold a base64 secret"),
        ]
        for (content, words) in cases {
            var environment = [
                "TTSTRACK_WEBHOOKS_URL": "http://127.0.0.1:9/x", "TTSTRACK_STORE_PATH": "\(directory)/tasks.sqlite3",
            ]
            if let content {
                let path = "\(directory)/secret"
                try content.write(toFile: path, atomically: true, encoding: .utf8)
                environment["TTSTRACK_WEBHOOKS_SECRET_FILE"] = path
            }
            let daemon = try DaemonProcess(environment: environment, directory: directory)
            let status = await daemon.waitForExit()
            #expect(status == 78, "\(words): exit \(status)")
            #expect(daemon.stderr.contains(words), "\(daemon.stderr)")
            if content != nil { #expect(daemon.stderr.contains("\(directory)/secret")) }
            if let content, !content.isEmpty { #expect(!daemon.stderr.contains(content), "the secret is not shown") }
        }
    }
}
