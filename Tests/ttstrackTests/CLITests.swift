import CambSimulator
import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// The `ttstrack` binary against a real daemon and a simulated CAMB.AI API: what a user or a
/// script sees, meaning exit statuses, the JSON documents and the human tables.
@Suite struct CLITests {
    typealias J = JSONAccess

    @Test func addGetAndWaitForSuccess() async throws {
        try await DaemonFixture.with { fixture in
            fixture.simulator.script("job-1", [.pending, .success(runID: 4711)])
            fixture.simulator.script("job-2", [.success(runID: 4712)])

            let added = try await fixture.run(["add", "job-1", "job-2"])
            #expect(added.status == 0, "\(added)")
            #expect(added.stdout == "added 2, already tracked 0\n")

            let again = try await fixture.run(["add", "--json", "job-1"])
            #expect(again.status == 0, "\(again)")
            let counts = try again.json()
            #expect(J.int(counts["added"]) == 0 && J.int(counts["existing"]) == 1, "\(again)")

            let waited = try await fixture.run(["wait", "--timeout", "20", "job-1", "job-2"])
            #expect(waited.status == 0, "\(waited)")
            #expect(waited.stderr.isEmpty, "\(waited)")
            let lines = waited.stdoutLines
            #expect(lines.first?.hasPrefix("TASK ID") == true, "\(waited)")
            #expect(lines.first?.contains("RUN ID") == true)
            let row = try #require(lines.first { $0.hasPrefix("job-1 ") }, "\(waited)")
            #expect(row.contains("SUCCESS") && row.contains("4711") && row.contains("tts"), "\(row)")
            #expect(row.contains(" ago") || row.contains("now"), "relative time in \(row)")

            let got = try await fixture.run(["get", "--json", "job-1", "unknown-9"])
            #expect(got.status == 0, "\(got)")
            let tasks = J.tasks(try got.json())
            try #require(tasks.count == 2, "\(got)")
            #expect(tasks[0]["task_id"]?.stringValue == "job-1")
            #expect(tasks[0]["status"]?.stringValue == "SUCCESS")
            #expect(J.int(tasks[0]["run_id"]) == 4711)
            #expect(J.bool(tasks[0]["terminal"]) == true)
            #expect(J.int(tasks[0]["checks"]) ?? 0 >= 2)
            #expect(tasks[0]["updated_at"]?.stringValue?.hasSuffix("Z") == true)
            #expect(tasks[1]["status"]?.stringValue == "UNTRACKED")

            let table = try await fixture.run(["get", "job-2", "unknown-9"])
            #expect(table.status == 0, "\(table)")
            #expect(table.stdoutLines.count == 3, "\(table)")
            #expect(table.stdoutLines.last?.contains("UNTRACKED") == true, "\(table)")
        }
    }

    @Test func fetchBringsResultsToDiskAndGetShowsTheFile() async throws {
        // A daemon without results.dir: results come only when asked for.
        try await DaemonFixture.with { fixture in
            fixture.simulator.script("voice-1", [.success(runID: 9001)])
            fixture.simulator.script("broken-1", [.error(reason: "PROCESSING_ERROR", message: .string("boom"))])
            _ = try await fixture.run(["add", "voice-1", "broken-1"])
            let target = DaemonProcess.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: target) }
            let fetched = try await fixture.run(["fetch", "--timeout", "30", "--to", target, "voice-1", "broken-1"])
            #expect(fetched.status == 1, "one task has no result: \(fetched)")
            #expect(fetched.stdoutLines.contains("voice-1  \(target)/voice-1.flac"), "\(fetched)")
            #expect(fetched.stdoutLines.contains("broken-1  ended ERROR, no result"), "\(fetched)")
            #expect(fetched.stderr == "ttstrack: 1 of 2 results are not on disk\n", "\(fetched)")
            let copied = try Data(contentsOf: URL(fileURLWithPath: "\(target)/voice-1.flac"))
            #expect(copied.starts(with: Array("fLaC".utf8)))
            let got = try await fixture.run(["get", "voice-1"])
            let row = try #require(got.stdoutLines.first { $0.hasPrefix("voice-1 ") }, "\(got)")
            #expect(row.hasSuffix("\(fixture.directory)/results/voice-1.flac"), "the daemon's copy: \(row)")
            let json = try await fixture.run(["get", "--json", "voice-1"])
            let task = try #require(J.tasks(try json.json()).first)
            #expect(task["result_state"]?.stringValue == "done" && J.int(task["result_bytes"]) == Int64(copied.count))
        }
    }

    @Test func waitExitsOneWhenATaskFails() async throws {
        try await DaemonFixture.with { fixture in
            fixture.simulator.script("bad-1", [.status("ERROR", reason: "PROCESSING_ERROR", message: .string("boom"))])
            fixture.simulator.script("good-1", [.success(runID: 1)])
            #expect(try await fixture.run(["add", "bad-1", "good-1"]).status == 0)

            let waited = try await fixture.run(["wait", "--json", "--timeout", "20", "bad-1", "good-1"])
            #expect(waited.status == 1, "\(waited)")
            let document = try waited.json()
            #expect(J.bool(document["done"]) == true)
            let bad = try #require(J.tasks(document).first { $0["task_id"]?.stringValue == "bad-1" })
            #expect(bad["status"]?.stringValue == "ERROR")
            #expect(bad["reason"]?.stringValue == "PROCESSING_ERROR")
            #expect(bad["message"]?.stringValue == "boom")
            #expect(waited.stderrLines.count == 1 && waited.stderr.hasPrefix("ttstrack: "), "\(waited)")

            let human = try await fixture.run(["wait", "bad-1"])
            #expect(human.status == 1, "\(human)")
            #expect(human.stdout.contains("PROCESSING_ERROR: boom"), "\(human)")

            // An id the daemon does not know is settled at once, and not a success.
            let untracked = try await fixture.run(["wait", "--timeout", "20", "never-added"])
            #expect(untracked.status == 1, "\(untracked)")
            #expect(untracked.stdout.contains("UNTRACKED"), "\(untracked)")
        }
    }

    @Test func waitExitsTwoOnTimeout() async throws {
        try await DaemonFixture.with { fixture in
            fixture.simulator.script("slow-1", [.pending])
            #expect(try await fixture.run(["add", "slow-1"]).status == 0)

            let started = ContinuousClock.now
            let waited = try await fixture.run(["wait", "--json", "--timeout", "0.5", "slow-1"])
            #expect(waited.status == 2, "\(waited)")
            #expect(ContinuousClock.now - started >= .milliseconds(450))
            let document = try waited.json()
            #expect(J.bool(document["done"]) == false)
            #expect(J.tasks(document).first?["status"]?.stringValue == "PENDING")
            #expect(waited.stderrLines.count == 1, "\(waited)")
        }
    }

    @Test func hugeTimeoutWaitsWithoutLimit() async throws {
        try await DaemonFixture.with { fixture in
            fixture.simulator.script("long-1", [.pending, .pending, .success(runID: 9)])
            #expect(try await fixture.run(["add", "long-1"]).status == 0)
            let waited = try await fixture.run(["wait", "--timeout", "1e300", "long-1"])
            #expect(waited.status == 0, "\(waited)")
            #expect(fixture.daemon.isRunning)
        }
    }

    @Test func unreachableDaemonExits69NamingThePath() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory(prefix: "ttstrack-cli-none")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/no-daemon.sock"

        let result = try await CLIRun.run(["get", "some-id", "--socket", path])
        #expect(result.status == 69, "\(result)")
        #expect(result.stderr == "ttstrack: cannot reach ttstrackd at \(path): No such file or directory\n")
        #expect(result.stdout.isEmpty)

        // TTSTRACK_SOCKET is used when --socket is not given.
        let fromEnvironment = try await CLIRun.run(["stats"], environment: ["TTSTRACK_SOCKET": path])
        #expect(fromEnvironment.status == 69, "\(fromEnvironment)")
        #expect(fromEnvironment.stderr.contains(path), "\(fromEnvironment)")

        // Something that is not a socket at the path.
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        let notSocket = try await CLIRun.run(["stats", "--socket", path])
        #expect(notSocket.status == 69, "\(notSocket)")
        #expect(notSocket.stderrLines.count == 1)
    }

    @Test func socketFromEnvironmentReachesTheDaemon() async throws {
        try await DaemonFixture.with { fixture in
            let result = try await CLIRun.run(
                ["stats", "--json"], environment: ["TTSTRACK_SOCKET": fixture.daemon.socketPath])
            #expect(result.status == 0, "\(result)")
            #expect(try result.json()["version"]?.stringValue == TrackerService.version)
        }
    }

    @Test func invalidIdsAreBadUsageAndNothingIsAdded() async throws {
        try await DaemonFixture.with { fixture in

            let result = try await fixture.run(["add", "ok-1", "a/b"])
            #expect(result.status == 64, "\(result)")
            #expect(result.stderrLines.count == 1, "\(result)")
            #expect(result.stderr.hasPrefix("ttstrack: "))
            #expect(result.stderr.contains(#""a/b""#) && result.stderr.contains("'/'"), "\(result)")

            let fromStdin = try await fixture.run(["add", "-"], stdin: "ok-2\n\nbad id\nok-3\n")
            #expect(fromStdin.status == 64, "\(fromStdin)")
            #expect(fromStdin.stderr.contains("line 3"), "\(fromStdin)")

            for arguments in [["get", "x/y"], ["wait", ".."], ["remove", ""], ["watch", "a b"]] {
                let refused = try await fixture.run(arguments)
                #expect(refused.status == 64, "\(arguments): \(refused)")
            }

            let listed = try await fixture.run(["list", "--json"])
            #expect(listed.status == 0, "\(listed)")
            #expect(J.tasks(try listed.json()).isEmpty, "\(listed)")
        }
    }

    @Test(arguments: [
        ["add"],
        ["bogus"],
        ["add", "--kind", "nope", "x"],
        ["list", "--limit", "0"],
        ["list", "--kind", "nope"],
        ["wait", "--timeout", "soon", "x"],
        ["watch", "--since", "-3"],
        ["stats", "--no-such-flag"],
        ["get", "--socket", "", "x"],
    ])
    func usageErrorsExit64WithOneLine(arguments: [String]) async throws {
        let result = try await CLIRun.run(
            arguments + (arguments.contains("--socket") ? [] : ["--socket", "/nonexistent/s"]))
        #expect(result.status == 64, "\(arguments): \(result)")
        #expect(result.stderrLines.count == 1, "\(arguments): \(result)")
        #expect(result.stderr.hasPrefix("ttstrack: "), "\(arguments): \(result)")
        #expect(result.stdout.isEmpty)
    }

    @Test func addsManyIdsFromStandardInputInBatches() async throws {
        // A long first delay keeps the daemon from polling while the ids go in.
        try await DaemonFixture.with(
            defaultBehavior: .alwaysPending, environment: ["TTSTRACK_POLL_FIRST_DELAY": "3600"]
        ) { fixture in
            let count = 25_000
            var input = ""
            for index in 0..<count { input += "bulk-\(index)\n" }

            let added = try await fixture.run(["add", "-"], stdin: input)
            #expect(added.status == 0, "\(added)")
            #expect(added.stdout == "added \(count), already tracked 0\n")

            // Windows line ends, blank lines, literal ids mixed in: all counted.
            let more = try await fixture.run(["add", "--json", "extra-1", "-"], stdin: "bulk-0\r\n\n  extra-2  \r\n")
            #expect(more.status == 0, "\(more)")
            let counts = try more.json()
            #expect(J.int(counts["added"]) == 2 && J.int(counts["existing"]) == 1, "\(more)")

            let stats = try await fixture.run(["stats", "--json"])
            #expect(stats.status == 0, "\(stats)")
            let byStatus = J.object(try stats.json()["tasks"])
            #expect(byStatus.values.compactMap(J.int).reduce(0, +) == Int64(count + 2), "\(stats)")
        }
    }

    @Test func moreIdsThanOneCallAllowsAreSentInSeveralCalls() async throws {
        // Over the daemon's 100,000 ids per call: only works because add batches.
        try await DaemonFixture.with(
            defaultBehavior: .alwaysPending, environment: ["TTSTRACK_POLL_FIRST_DELAY": "3600"]
        ) { fixture in
            let count = 100_500
            let input = (0..<count).map { "big-\($0)" }.joined(separator: "\n")
            let added = try await fixture.run(["add", "-"], stdin: input)
            #expect(added.status == 0, "\(added)")
            #expect(added.stdout == "added \(count), already tracked 0\n")

            // One Wait call cannot take them all: the daemon's refusal is exit 1 and one line.
            let refused = try await fixture.run(["wait", "--timeout", "0", "-"], stdin: input)
            #expect(refused.status == 1, "\(refused)")
            #expect(refused.stderr == "ttstrack: io.ttstrack.Tracker.TooManyIds: at most 100000 ids in one call\n")
        }
    }

    @Test func listPagesWithTheCursor() async throws {
        try await DaemonFixture.with(
            defaultBehavior: .alwaysPending, environment: ["TTSTRACK_POLL_FIRST_DELAY": "3600"]
        ) { fixture in
            let ids = (0..<25).map { "page-\($0 < 10 ? "0" : "")\($0)" }
            #expect(try await fixture.run(["add"] + ids).status == 0)
            #expect(try await fixture.run(["add", "--kind", "dub", "dub-1", "dub-2"]).status == 0)

            let first = try await fixture.run(["list", "--json", "--limit", "10", "--kind", "tts"])
            #expect(first.status == 0, "\(first)")
            let firstPage = try first.json()
            #expect(J.tasks(firstPage).compactMap { $0["task_id"]?.stringValue } == Array(ids[0..<10]))
            let next = try #require(firstPage["next"]?.stringValue, "\(first)")

            let second = try await fixture.run(["list", "--json", "--limit", "10", "--kind", "tts", "--after", next])
            #expect(J.tasks(try second.json()).compactMap { $0["task_id"]?.stringValue } == Array(ids[10..<20]))

            let all = try await fixture.run(["list", "--json", "--limit", "7", "--all"])
            #expect(all.status == 0, "\(all)")
            let everything = try all.json()
            #expect(J.tasks(everything).compactMap { $0["task_id"]?.stringValue } == ["dub-1", "dub-2"] + ids)
            #expect(everything["next"]?.isNull == true)

            let dubs = try await fixture.run(["list", "--json", "--kind", "dub"])
            #expect(J.tasks(try dubs.json()).compactMap { $0["kind"]?.stringValue } == ["dub", "dub"])

            let human = try await fixture.run(["list", "--limit", "10"])
            #expect(human.status == 0, "\(human)")
            #expect(human.stdoutLines.count == 11, "\(human)")
            // The first check is an hour (less jitter) away: a relative time in the future.
            #expect(human.stdoutLines.last?.contains("  in ") == true, "\(human)")
            #expect(human.stderr.contains("more tasks follow"), "\(human)")

            let humanAll = try await fixture.run(["list", "--limit", "4", "--all", "--status", "PENDING"])
            #expect(humanAll.stdoutLines.count == 28, "\(humanAll)")
            #expect(humanAll.stderr.isEmpty, "\(humanAll)")

            let none = try await fixture.run(["list", "--status", "SUCCESS"])
            #expect(none.status == 0 && none.stdout == "no tasks\n", "\(none)")
        }
    }

    @Test func removeForgetsTasks() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { fixture in
            #expect(try await fixture.run(["add", "rm-1", "rm-2"]).status == 0)

            let removed = try await fixture.run(["remove", "rm-1", "rm-3"])
            #expect(removed.status == 0, "\(removed)")
            #expect(removed.stdout == "removed 1, not tracked 1\n")

            let got = try await fixture.run(["get", "--json", "rm-1", "rm-2"])
            let statuses = J.tasks(try got.json()).compactMap { $0["status"]?.stringValue }
            #expect(statuses.first == "UNTRACKED" && statuses.last != "UNTRACKED", "\(got)")

            let json = try await fixture.run(["remove", "--json", "-"], stdin: "rm-2\n")
            #expect(J.int(try json.json()["removed"]) == 1, "\(json)")
        }
    }

    @Test func statsReportsCountsAndApiState() async throws {
        try await DaemonFixture.with { fixture in
            fixture.simulator.script("st-1", [.success(runID: 5)])
            fixture.simulator.script("st-2", [.pending])
            #expect(try await fixture.run(["add", "st-1", "st-2"]).status == 0)
            #expect(try await fixture.run(["wait", "--timeout", "20", "st-1"]).status == 0)

            let stats = try await fixture.run(["stats", "--json"])
            #expect(stats.status == 0, "\(stats)")
            let document = try stats.json()
            #expect(document["version"]?.stringValue == TrackerService.version)
            #expect(document["api_state"]?.stringValue == "ok")
            #expect(J.int(J.object(document["tasks"])["SUCCESS"]) == 1, "\(stats)")
            #expect(J.int(J.object(document["tasks"])["PENDING"]) == 1, "\(stats)")
            #expect(J.int(document["checks_total"]) ?? 0 >= 1)
            #expect(J.int(document["checks_failed"]) != nil)

            let human = try await fixture.run(["stats"])
            #expect(human.status == 0, "\(human)")
            #expect(human.stdout.contains("version") && human.stdout.contains("SUCCESS"), "\(human)")
        }
    }

    @Test func statsShowsWhatTheScheduleLearnedPerKind() async throws {
        try await DaemonFixture.with { fixture in
            fixture.simulator.setDurations(TaskDurations(["tts": .fixed(0.3)]))
            let ids = (0..<20).map { "learn-\($0)" }
            #expect(try await fixture.run(["add"] + ids).status == 0)
            #expect(try await fixture.run(["wait", "--timeout", "30"] + ids).status == 0)
            try await eventually(timeout: .seconds(10)) {
                let stats = try await fixture.run(["stats", "--json"])
                return J.int(J.object(J.object(try stats.json()["schedule"])["tts"])["finishes"]) == 20
            }
            let human = try await fixture.run(["stats"])
            #expect(human.status == 0, "\(human)")
            let line = human.stdout.split(separator: "\n").first { $0.hasPrefix("  tts ") }
            // "  tts   20, 0.4 s, 0.5 s": finishes, median, p90 (0.3 s from the first check, which
            // comes about 0.05 s after Add, seen by checks 0.05 to 0.2 s apart).
            #expect(human.stdout.contains("learned durations"), "\(human)")
            #expect(line?.contains("20, 0.") == true && line?.hasSuffix(" s") == true, "\(human)")
        }
    }

    @Test func statsShowsDeliveriesGivenUp() async throws {
        // A hook that always fails, tried once: the delivery is given up and `stats` says so.
        try await DaemonFixture.with(environment: [
            "TTSTRACK_HOOKS_EXEC": "/bin/false", "TTSTRACK_HOOKS_MAX_ATTEMPTS": "1",
        ]) {
            fixture in
            fixture.simulator.script("hooked", [.success(runID: 5)])
            #expect(try await fixture.run(["add", "hooked"]).status == 0)
            try await eventually(timeout: .seconds(10)) {
                let stats = try await fixture.run(["stats", "--json"])
                return J.int(J.object(try stats.json()["deliveries"])["hooks.failed"]) == 1
            }
            let human = try await fixture.run(["stats"])
            #expect(human.status == 0, "\(human)")
            let line = human.stdout.split(separator: "\n").first { $0.hasPrefix("hooks ") }
            #expect(line?.hasSuffix("0 pending, 1 given up") == true, "\(human)")
            #expect(!human.stdout.contains("webhooks"), "no webhook is configured: \(human)")
        }
    }

    @Test func watchPrintsOneLinePerEvent() async throws {
        try await DaemonFixture.with { fixture in
            fixture.simulator.script("w-1", [.pending, .success(runID: 77)])

            // --since 0 replays what happened before the watch was subscribed, so there is no race
            // between starting the process and adding the task.
            let watch = try fixture.spawn(["watch", "--json", "--since", "0", "w-1"])
            #expect(try await fixture.run(["add", "w-1", "other-1"]).status == 0)

            let success = try await watch.waitForLine { line in
                guard let event = try? JSONParser.parse(line) else { return false }
                return event["task"]?["status"]?.stringValue == "SUCCESS"
            }
            let event = try JSONParser.parse(success)
            #expect(J.int(event["seq"]) ?? 0 > 0)
            #expect(event["task"]?["task_id"]?.stringValue == "w-1")
            #expect(J.int(event["task"]?["run_id"]) == 77)

            // The watch is live now: a removal shows up while it runs.
            #expect(try await fixture.run(["remove", "w-1"]).status == 0)
            _ = try await watch.waitForLine { $0.contains(#""UNTRACKED""#) }
            // Only w-1 was asked for; every line is an event object of w-1.
            for line in watch.stdout.split(separator: "\n") {
                let parsed = try JSONParser.parse(String(line))
                #expect(parsed["task"]?["task_id"]?.stringValue == "w-1", "\(line)")
            }

            let ended = try await watch.interrupt()
            #expect(ended.stderr.isEmpty, "\(ended)")

            // The same events, for people.
            let human = try fixture.spawn(["watch", "--since", "0"])
            let line = try await human.waitForLine { $0.contains("  w-1  ") && $0.contains("SUCCESS") }
            #expect(line.contains("  tts  ") && line.contains("run_id 77"), "\(line)")
            _ = try await human.interrupt()
        }
    }

    @Test func watchEndsWith69WhenTheDaemonGoesAway() async throws {
        try await DaemonFixture.with { fixture in
            #expect(try await fixture.run(["add", "gone-1"]).status == 0)
            let watch = try fixture.spawn(["watch", "--since", "0"])
            _ = try await watch.waitForLine { $0.contains("gone-1") }
            await fixture.daemon.stop()
            let result = try await watch.finish()
            #expect(result.status == 69, "\(result)")
            #expect(result.stderrLines.count == 1, "\(result)")
        }
    }

    @Test func helpVersionAndCompletionScripts() async throws {
        let help = try await CLIRun.run(["--help"])
        #expect(help.status == 0 && help.stdout.contains("SUBCOMMANDS"), "\(help)")
        let version = try await CLIRun.run(["--version"])
        #expect(version.status == 0 && version.stdout == "\(TrackerService.version)\n", "\(version)")
        for shell in ["bash", "zsh", "fish"] {
            let script = try await CLIRun.run(["--generate-completion-script", shell])
            #expect(script.status == 0 && script.stdout.contains("ttstrack"), "\(shell): \(script)")
        }
    }
}
