import CambSimulator
import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The built `ttstrackd` binary on a temporary socket and store, against the simulator.
@Suite(.timeLimit(.minutes(1))) struct DaemonIntegrationTests {
    @Test func addedIdsAreWaitedForUntilSuccessWithRunID() async throws {
        try await DaemonFixture.with { test in
            test.simulator.script("job-1", [.pending, .success(runID: 777)])
            let added = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["job-1", "job-2"])])
            #expect(added["added"]?.int == 2 && added["existing"]?.int == 0)
            let waited = try await test.call(
                "io.ttstrack.Tracker.Wait", ["ids": ids(["job-1", "job-2"]), "timeout": 20])
            #expect(waited["done"]?.bool == true)
            let tasks = try #require(waited["tasks"]?.array)
            #expect(tasks.map { $0["status"]?.stringValue } == ["SUCCESS", "SUCCESS"])
            #expect(tasks[0]["run_id"]?.int == 777)
            #expect(tasks[0]["terminal"]?.bool == true)
            #expect(tasks[0]["task_id"]?.stringValue == "job-1" && tasks[0]["kind"]?.stringValue == "tts")
            let again = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["job-1"])])
            #expect(again["added"]?.int == 0 && again["existing"]?.int == 1)
            let stats = try await test.call("io.ttstrack.Tracker.Stats")
            #expect(stats["tasks"]?["SUCCESS"]?.int == 2)
            #expect(stats["api_state"]?.stringValue == "ok")
            #expect((stats["checks_total"]?.int ?? 0) >= 4)
            #expect(await test.daemon.stop() == 0, "SIGTERM stops the daemon cleanly")
        }
    }

    @Test func waitTimesOutWithDoneFalse() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["p"])])
            let started = ContinuousClock.now
            let waited = try await test.call(
                "io.ttstrack.Tracker.Wait", ["ids": ids(["p", "unknown"]), "timeout": 0.3])
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            #expect(waited["done"]?.bool == false)
            #expect(waited["tasks"]?.array?.map { $0["status"]?.stringValue } == ["PENDING", "UNTRACKED"])
        }
    }

    @Test func hugeOrNegativeWaitTimeoutsAreHandled() async throws {
        try await DaemonFixture.with { test in
            #expect(
                try await test.error("io.ttstrack.Tracker.Wait", ["ids": ["a"], "timeout": -1])
                    == .invalidParameter("timeout"))
            let waited = try await test.call("io.ttstrack.Tracker.Wait", ["ids": ["unknown"], "timeout": 1e300])
            #expect(waited["done"] == true, "an untracked id is settled; the huge timeout does not crash the daemon")
            test.simulator.script("p", [.pending, .success(runID: 1)])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["p"]])
            #expect(try await test.call("io.ttstrack.Tracker.Wait", ["ids": ["p"], "timeout": 1e300])["done"] == true)
            #expect(try await test.call("io.ttstrack.Tracker.Stats")["version"] != nil)
        }
    }

    @Test func invalidCallsAreRefusedAndChangeNothing() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            let bad = try await test.error("io.ttstrack.Tracker.Add", ["ids": ids(["good", "bad/id", "also-good"])])
            #expect(bad?.name == "io.ttstrack.Tracker.InvalidTaskId")
            #expect(bad?.parameters["task_id"]?.stringValue == "bad/id")
            let tooMany = try await test.error("io.ttstrack.Tracker.Add", ["ids": ids((0...100_000).map { "i\($0)" })])
            #expect(tooMany == VarlinkError("io.ttstrack.Tracker.TooManyIds", ["max": 100_000]))
            let kind = try await test.error("io.ttstrack.Tracker.Add", ["ids": ids(["k"]), "kind": "video"])
            #expect(kind == VarlinkError("io.ttstrack.Tracker.UnknownKind", ["kind": "video"]))
            let typed = try await test.error("io.ttstrack.Tracker.Add", ["ids": "not-a-list"])
            #expect(typed == .invalidParameter("ids"))
            let missing = try await test.error("io.ttstrack.Tracker.Get", [:])
            #expect(missing == .invalidParameter("ids"))
            let stats = try await test.call("io.ttstrack.Tracker.Stats")
            #expect(stats["tasks"] == .object([:]), "nothing of a refused call is stored")
            #expect(try await test.error("io.ttstrack.Tracker.Nope") == .methodNotFound("Nope"))
            #expect(try await test.error("com.example.Other.Call") == .interfaceNotFound("com.example.Other"))
            #expect(try await test.error("io.ttstrack.Tracker.Watch", [:]) == .expectedMore)
        }
    }

    @Test func introspectionServesTheInterfaceFile() async throws {
        try await DaemonFixture.with { test in
            let info = try await test.call("org.varlink.service.GetInfo")
            #expect(info["interfaces"] == ["org.varlink.service", "io.ttstrack.Tracker"])
            let description = try await test.call(
                "org.varlink.service.GetInterfaceDescription", ["interface": "io.ttstrack.Tracker"])
            let repoFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Sources/TTSTrackWire/io.ttstrack.Tracker.varlink")
            #expect(description["description"]?.stringValue == (try String(contentsOf: repoFile, encoding: .utf8)))
            #expect(
                try await test.error("org.varlink.service.GetInterfaceDescription", ["interface": "x.y"])
                    == .interfaceNotFound("x.y"))
        }
    }

    @Test func pipelinedCallsAreAnsweredInOrderAndHalfCloseStillGetsReplies() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            let path = test.daemon.socketPath
            let replies = try await blocking { () -> [String] in
                let client = try VarlinkClient(path: path)
                try client.send("io.ttstrack.Tracker.Add", ["ids": ids(["p1"])])
                try client.send("io.ttstrack.Tracker.Get", ["ids": ids(["p1", "p2"])])
                try client.send("io.ttstrack.Tracker.Nope")
                try client.send("io.ttstrack.Tracker.Stats")
                client.shutdownWrite()
                return try (0..<4).map { _ in
                    let reply = try client.receive()
                    return reply.error?.name ?? reply.parameters.keys.sorted().joined(separator: ",")
                }
            }
            #expect(
                replies == [
                    "added,existing", "seq,tasks", "org.varlink.service.MethodNotFound",
                    "api_error,api_state,checks_failed,checks_total,deliveries,results,schedule,store_error,tasks,uptime,version,watchers",
                ])
        }
    }

    @Test func garbageClosesOnlyThatConnection() async throws {
        try await DaemonFixture.with { test in
            let path = test.daemon.socketPath
            let garbage: [[UInt8]] = [
                Array("{not json".utf8) + [0], Array("[1,2]".utf8) + [0], Array("{\"x\":1}".utf8) + [0],
                [0xFF, 0xFE, 0],
            ]
            for bytes in garbage {
                let closed = try await blocking { () -> Bool in
                    let client = try VarlinkClient(path: path)
                    try client.sendRaw(bytes)
                    return client.isClosedWithoutReply()
                }
                #expect(closed)
            }
            let info = try await test.call("org.varlink.service.GetInfo")
            #expect(info["product"]?.stringValue == "ttstrackd", "the daemon still answers others")
        }
    }

    @Test func oversizedMessageClosesTheConnection() async throws {
        try await DaemonFixture.with { test in
            let path = test.daemon.socketPath
            let closed = try await blocking { () -> Bool in
                let client = try VarlinkClient(path: path)
                let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
                do {
                    for _ in 0..<40 { try client.sendRaw(chunk) }  // 40 MiB, no NUL
                } catch VarlinkClient.ClientError.closed {
                    return true
                }
                do {
                    _ = try client.receive()
                    return false
                } catch {
                    return true
                }
            }
            #expect(closed)
            #expect(try await test.call("io.ttstrack.Tracker.Stats")["version"] != nil)
        }
    }

    @Test func acknowledgedIdsSurviveKill9() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            let batch = (0..<5000).map { "durable-\($0)" }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(batch)])
            #expect(await test.daemon.stop(signal: SIGKILL) != 0)
            try await test.restart()
            let got = try await test.call("io.ttstrack.Tracker.Get", ["ids": ids(batch)])
            let statuses = Set(got["tasks"]?.array?.compactMap { $0["status"]?.stringValue } ?? [])
            #expect(statuses == ["PENDING"], "every acknowledged id is there after kill -9")
            #expect(
                await test.simulator.waitForRequests(taskID: "durable-4999", count: 1, timeout: .seconds(10)),
                "and polled again"
            )
        }
    }

    @Test func aSecondDaemonOnTheSameStoreOrSocketRefusesToStart() async throws {
        try await DaemonFixture.with { test in
            let sameStore = try DaemonProcess(
                environment: ["TTSTRACK_STORE_PATH": test.daemon.storePath],
                directory: DaemonProcess.makeTemporaryDirectory())
            #expect(await sameStore.waitForExit() == 1)
            #expect(sameStore.stderr.contains("another ttstrackd"))
            let sameSocket = try DaemonProcess(
                environment: ["TTSTRACK_CONTROL_SOCKET": test.daemon.socketPath],
                directory: DaemonProcess.makeTemporaryDirectory())
            #expect(await sameSocket.waitForExit() == 1)
            #expect(sameSocket.stderr.contains("another ttstrackd"))
            #expect(try await test.call("io.ttstrack.Tracker.Stats")["version"] != nil, "the first one still answers")
        }
    }

    @Test func socketHasMode0660() async throws {
        try await DaemonFixture.with { test in
            var info = stat()
            #expect(stat(test.daemon.socketPath, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o660)
        }
    }

    @Test func brokenConfigurationIsRefusedWithAClearMessage() async throws {
        let daemon = try DaemonProcess(environment: ["TTSTRACK_POLL_RATE": "fast"])
        #expect(await daemon.waitForExit() == 78)
        #expect(daemon.stderr.contains("poll.rate"))
    }

    @Test func theAPIKeyNeverAppearsInLogsRepliesOrTheStore() async throws {
        let key = "SECRET-KEY-5f1e9c"
        let simulator = CambSimulator(apiKey: "another-key", defaultBehavior: .successAfterChecks(0))
        let directory = DaemonProcess.makeTemporaryDirectory()
        let listener = try NotifyListener(directory: directory)
        try await DaemonFixture.with(
            environment: ["CAMB_API_KEY": key, "TTSTRACK_LOG_LEVEL": "trace", "NOTIFY_SOCKET": listener.path],
            directory: directory, simulator: simulator
        ) { test in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["k1"]])
            try await eventually { try await test.call("io.ttstrack.Tracker.Stats")["api_state"] == "unauthorized" }
            // The refusal reaches STATUS= too (the daemon reports the API's state there).
            #expect(await listener.waitFor { $0.hasPrefix("STATUS=") && $0.contains("unauthorized") } != nil)
            simulator.setAPIKey(key)
            let waited = try await test.call("io.ttstrack.Tracker.Wait", ["ids": ["k1"], "timeout": 20])
            #expect(waited["done"] == true)
            var replies = waited.description
            replies += try await test.call("io.ttstrack.Tracker.Stats").description
            replies += try await test.call("io.ttstrack.Tracker.List", [:]).description
            #expect(await test.daemon.stop() == 0)
            #expect(simulator.recordedRequests().last?.apiKey == key, "the key was used")
            #expect(!replies.contains(key))
            #expect(!test.daemon.stderr.contains(key) && !test.daemon.stdout.contains(key))
            #expect(!listener.received.contains { $0.text.contains(key) }, "no sd_notify message holds the key")
            // A crash: the Swift runtime's crash report goes to stderr (unsymbolicated: symbolicating
            // a debug build takes tens of seconds, and adds names, not data).
            let crashing = try DaemonProcess(
                environment: ["CAMB_API_KEY": key, "SWIFT_BACKTRACE": "enable=yes,interactive=no,symbolicate=off"],
                directory: directory)
            try await crashing.waitUntilReady()
            // A SIGSEGV sent by kill(2) is reported like a fault, but the process then carries on
            // (nothing faults again): wait for the whole report, then kill it. Without the
            // runtime's backtracer (not every toolchain ships it) the signal just kills it.
            kill(crashing.pid, SIGSEGV)
            try await eventually("the crash report is written") {
                crashing.stderr.contains("Backtrace took") || !crashing.isRunning
            }
            _ = await crashing.stop(signal: SIGKILL)
            #expect(!crashing.stderr.contains(key) && !crashing.stdout.contains(key), "the crash report holds no key")
            for file in try FileManager.default.contentsOfDirectory(atPath: directory) {
                let attributes = try FileManager.default.attributesOfItem(atPath: "\(directory)/\(file)")
                guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }  // the socket
                let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(file)"))
                #expect(bytes.range(of: Data(key.utf8)) == nil, "\(file) holds the key")
            }
        }
    }

    @Test func aStoreLockedByAnotherProcessDelaysResultsButLosesNone() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            // Another process holds the database exclusively for longer than the busy timeout (5 s).
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            holder.arguments = [
                "python3", "-c",
                """
                import sqlite3, sys, time
                db = sqlite3.connect(sys.argv[1], isolation_level=None)
                db.execute("BEGIN EXCLUSIVE")
                print("locked", flush=True)
                time.sleep(7)
                db.execute("COMMIT")
                """,
                test.daemon.storePath,
            ]
            let output = Pipe()
            holder.standardOutput = output
            let ids = (0..<20).map { "locked-\($0)" }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": .array(ids.map(JSONValue.string))])
            try launch(holder)
            _ = try await blocking { output.fileHandleForReading.availableData }  // "locked"
            let locked = ContinuousClock.now
            // While locked, checks go on and find the tasks done, but the results cannot be written.
            for id in ids { test.simulator.script(id, [.success(runID: 3)]) }
            let checked = test.simulator.totalRequests()
            try await eventually { test.simulator.totalRequests() >= checked + 20 }
            let waited = try await test.call(
                "io.ttstrack.Tracker.Wait", ["ids": .array(ids.map(JSONValue.string)), "timeout": 30])
            #expect(waited["done"] == true)
            #expect(waited["tasks"]?.array?.allSatisfy { $0["status"] == "SUCCESS" } == true)
            #expect(ContinuousClock.now - locked >= .seconds(5), "the results waited for the lock")
            holder.waitUntilExit()
            #expect(holder.terminationStatus == 0)
            #expect(test.daemon.stderr.contains("Store error"), "the trouble was reported")
        }
    }
}
