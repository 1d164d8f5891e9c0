import CambSimulator
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// The poller against the simulator, one test per kind of API answer: what was stored,
/// how many requests were sent and when.
@Suite(.timeLimit(.minutes(1))) struct SchedulerTests {
    @Test func successAfterPendingStoresRunIDAndStopsPolling() async throws {
        let harness = try await PollerHarness()
        harness.simulator.script("t1", [.pending, .pending, .success(runID: 4242)])
        try await harness.add(["t1"])
        let task = try await harness.waitTerminal("t1")
        #expect(task.status == .success && task.runID == 4242 && task.checks == 3)
        #expect(task.nextCheckAt == nil)
        try await Task.sleep(for: .milliseconds(200))  // long enough for several more checks, were any due
        #expect(harness.simulator.requestCount(taskID: "t1") == 3, "a terminal task is not polled again")
        let gaps = zip(harness.simulator.recordedRequests().dropFirst(), harness.simulator.recordedRequests())
            .map { $0.at - $1.at }
        #expect(gaps.allSatisfy { $0 >= .milliseconds(45) }, "checks of one task keep min_interval: \(gaps)")
        try await harness.stop()
    }

    @Test(
        arguments: [
            (
                "ERROR", SimResponse.error(reason: "PROCESSING_ERROR", message: .string("boom")), "PROCESSING_ERROR",
                "boom"
            ),
            (
                "ERROR", SimResponse.error(reason: "HARMFUL_CONTENT_DETECTED", message: .object(["code": "harmful"])),
                "HARMFUL_CONTENT_DETECTED", #"{"code":"harmful"}"#
            ),
            ("TIMEOUT", SimResponse.status("TIMEOUT"), nil, nil),
            ("PAYMENT_REQUIRED", SimResponse.status("PAYMENT_REQUIRED"), nil, nil),
        ] as [(String, SimResponse, String?, String?)])
    func terminalStatusesAreStoredVerbatim(
        status: String, response: SimResponse, reason: String?, message: String?
    )
        async throws
    {
        let harness = try await PollerHarness()
        harness.simulator.script("t", [.pending, response])
        try await harness.add(["t"])
        let task = try await harness.waitTerminal("t")
        #expect(task.status.rawValue == status)
        #expect(task.reason == reason)
        #expect(task.message == message)
        #expect(task.runID == nil)
        #expect(harness.simulator.requestCount(taskID: "t") == 2)
        try await harness.stop()
    }

    @Test func unknownStatusIsKeptAndStillPolled() async throws {
        let harness = try await PollerHarness()
        harness.simulator.script("q", [.status("QUEUED")])
        try await harness.add(["q"])
        #expect(await harness.simulator.waitForRequests(taskID: "q", count: 4, timeout: .seconds(20)))
        let task = try await harness.task("q")
        #expect(task.status.rawValue == "QUEUED" && !task.terminal)
        harness.simulator.script("q", [.status("QUEUED"), .success(runID: 7)])
        _ = try await harness.waitTerminal("q")
        try await harness.stop()
    }

    @Test func extraFieldsAreIgnored() async throws {
        let harness = try await PollerHarness()
        harness.simulator.script("x", [.status("SUCCESS", runID: 5, extraFields: true)])
        try await harness.add(["x"])
        let task = try await harness.waitTerminal("x")
        #expect(task.status == .success && task.runID == 5)
        try await harness.stop()
    }

    @Test func threeConsecutive404sMakeNotFound() async throws {
        let harness = try await PollerHarness()
        harness.simulator.script("gone", [.notFound])
        harness.simulator.script("flaky", [.notFound, .notFound, .pending, .notFound, .notFound, .success(runID: 1)])
        try await harness.add(["gone", "flaky"])
        let gone = try await harness.waitTerminal("gone")
        #expect(gone.status == .notFound && gone.checks == 3)
        #expect(harness.simulator.requestCount(taskID: "gone") == 3)
        let flaky = try await harness.waitTerminal("flaky")
        #expect(flaky.status == .success, "an answer in between resets the 404 streak")
        try await harness.stop()
    }

    @Test func tasksExpireAfterGiveUpAfter() async throws {
        var policy = PollerHarness.fastPolicy()
        policy.giveUpAfter = 0.3
        let harness = try await PollerHarness(policy: policy)
        try await harness.add(["slow"])
        let task = try await harness.waitTerminal("slow")
        #expect(task.status == .expired)
        #expect(task.checkedAt!.seconds(since: task.addedAt!) >= 0.3)
        try await harness.stop()
    }

    @Test(arguments: [
        SimResponse.serverError(500), .serverError(502), .serverError(503), .http(408), .http(409), .malformedJSON,
        .wrongTypes, .missingStatus, .invalidUTF8, .validationError, .hugeBody(3 << 20), .resetMidBody,
    ])
    func faultsAreFailedChecksThatAreRetried(fault: SimResponse) async throws {
        let harness = try await PollerHarness()
        harness.simulator.script("f", [fault, fault, .success(runID: 11)])
        try await harness.add(["f"])
        #expect(await harness.simulator.waitForRequests(taskID: "f", count: 2, timeout: .seconds(20)))
        let during = try await harness.task("f")
        #expect(!during.terminal && during.status == .pending, "a fault never makes a task terminal")
        let task = try await harness.waitTerminal("f")
        #expect(task.status == .success && task.runID == 11 && task.checks == 3)
        let snapshot = await harness.scheduler.snapshot()
        #expect(snapshot.checksFailed == 2)
        try await harness.stop()
    }

    @Test func slowAnswerTimesOutAndIsRetried() async throws {
        let harness = try await PollerHarness(timeout: 0.5)
        harness.simulator.script("s", [.delayed(.seconds(5), .success(runID: 1)), .success(runID: 2)])
        try await harness.add(["s"])
        let task = try await harness.waitTerminal("s")
        // The slow answer was given up on (a failed check), and a later check found run 2.
        #expect(task.runID == 2 && task.checks >= 2)
        let snapshot = await harness.scheduler.snapshot()
        #expect(snapshot.checksFailed == task.checks - 1)
        try await harness.stop()
    }

    @Test func connectionRefusedMakesTheAPIUnreachable() async throws {
        let harness = try await PollerHarness()
        harness.client.update(.init(baseURL: "http://127.0.0.1:1", apiKey: "sim-key", timeout: 1))
        try await harness.add(["r"])
        try await eventually { await harness.scheduler.snapshot().health.state == .unreachable }
        let task = try await harness.task("r")
        #expect(!task.terminal)
        try await harness.stop()
    }

    @Test func badKeyPausesAllPollingAndResumesWhenTheKeyWorks() async throws {
        let harness = try await PollerHarness(apiKey: "wrong-key")
        harness.simulator.setDefaultBehavior(.successAfterChecks(0))
        try await harness.add((0..<20).map { "k\($0)" })
        try await eventually {
            let snapshot = await harness.scheduler.snapshot()
            return snapshot.health.state == .unauthorized && snapshot.inFlight == 0
        }
        let snapshot = await harness.scheduler.snapshot()
        #expect(snapshot.health.error?.contains("wrong-key") == false)
        let before = harness.simulator.totalRequests()
        try await Task.sleep(for: .milliseconds(500))
        // Paused for a second after the first 401: 20 tasks at 50 ms would otherwise send ~200.
        #expect(harness.simulator.totalRequests() - before <= 1, "polling pauses")
        for task in try await harness.store.get((0..<20).map { "k\($0)" }) {
            #expect(task.status == .pending && task.checks == 0, "tasks stay as they were")
        }
        harness.simulator.setAPIKey("wrong-key")
        for id in (0..<20).map({ "k\($0)" }) {
            let task = try await harness.waitTerminal(id, timeout: .seconds(15))
            #expect(task.status == .success)
        }
        #expect(await harness.scheduler.snapshot().health.state == .ok)
        try await harness.stop()
    }

    @Test(arguments: [SimResponse.rateLimited(retryAfter: "1"), .rateLimitedMs(1000)])
    func rateLimitPausesTheWholeDaemon(response: SimResponse) async throws {
        let harness = try await PollerHarness(defaultBehavior: .successAfterChecks(0))
        harness.simulator.script("a", [response, .success(runID: 1)])
        try await harness.add(["a"])
        try await eventually { await harness.scheduler.snapshot().health.state == .rateLimited }
        try await harness.add(["b", "c"])
        _ = try await harness.waitTerminal("a")
        _ = try await harness.waitTerminal("b")
        let requests = harness.simulator.recordedRequests()
        let limited = try #require(requests.first { $0.statusCode == 429 })
        let after = requests.filter { $0.at > limited.at }
        #expect(after.allSatisfy { $0.at - limited.at >= .milliseconds(950) }, "no request during the pause")
        #expect(await harness.scheduler.snapshot().health.state == .ok)
        try await harness.stop()
    }

    @Test func concurrencyLimitHolds() async throws {
        var policy = PollerHarness.fastPolicy()
        policy.concurrency = 3
        let harness = try await PollerHarness(policy: policy)
        let ids = (0..<12).map { "c\($0)" }
        for id in ids { harness.simulator.script(id, [.delayed(.milliseconds(100), .success(runID: 1))]) }
        try await harness.add(ids)
        for id in ids { _ = try await harness.waitTerminal(id) }
        #expect(harness.simulator.maxConcurrentRequests() == 3)
        try await harness.stop()
    }

    @Test func rateLimitOfTheTokenBucketHolds() async throws {
        var policy = PollerHarness.fastPolicy()
        policy.rate = 20
        policy.burst = 2
        let harness = try await PollerHarness(policy: policy)
        try await harness.add((0..<100).map { "r\($0)" })
        try await eventually { harness.simulator.totalRequests() >= 30 }
        let requests = harness.simulator.recordedRequests()
        // The burst (2) goes at once; after it, one request per 1/rate s. Measured from the
        // third request on, so the first connection's set-up time does not count.
        let span = requests.last!.at - requests[2].at
        let seconds = span.seconds
        let ratePerSecond = Double(requests.count - 3) / seconds
        #expect(ratePerSecond <= 20 * 1.25, "\(requests.count) requests: \(ratePerSecond)/s")
        #expect(ratePerSecond >= 20 * 0.5, "and the rate is used: \(ratePerSecond)/s")
        try await harness.stop()
    }

    @Test func rateAndConcurrencyHoldWhileFailedChecksAreRetried() async throws {
        var policy = PollerHarness.fastPolicy()
        policy.rate = 20
        policy.burst = 2
        policy.concurrency = 3
        let harness = try await PollerHarness(policy: policy)
        let ids = (0..<40).map { "retry-\($0)" }
        for id in ids { harness.simulator.script(id, [.delayed(.milliseconds(30), .serverError(503))]) }
        try await harness.add(ids)
        try await eventually { harness.simulator.totalRequests() >= 30 }
        let requests = harness.simulator.recordedRequests()
        let span = requests.last!.at - requests[2].at
        let seconds = span.seconds
        #expect(Double(requests.count - 3) / seconds <= 20 * 1.25, "the rate holds during retries")
        #expect(harness.simulator.maxConcurrentRequests() <= 3, "and so does concurrency")
        for task in try await harness.store.get(ids) { #expect(!task.terminal) }
        try await harness.stop()
    }

    @Test func aTaskIsNeverCheckedTwiceAtOnce() async throws {
        let harness = try await PollerHarness()  // checks due every 50 ms
        harness.simulator.script("slow", [.delayed(.milliseconds(300), .pending)])
        try await harness.add(["slow"])
        #expect(await harness.simulator.waitForRequests(taskID: "slow", count: 4, timeout: .seconds(20)))
        let arrivals = harness.simulator.recordedRequests().filter { $0.taskID == "slow" }.map(\.at)
        let gaps = zip(arrivals.dropFirst(), arrivals).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= .milliseconds(300) }, "the next check waits for the answer: \(gaps)")
        try await harness.stop()
    }

    @Test func aRemovedTaskIsNotBroughtBackByItsInFlightCheck() async throws {
        let harness = try await PollerHarness()
        harness.simulator.script("rm", [.delayed(.milliseconds(300), .success(runID: 3))])
        try await harness.add(["rm"])
        #expect(await harness.simulator.waitForRequests(taskID: "rm", count: 1, timeout: .seconds(20)))
        _ = try await harness.store.remove(["rm"], now: .now())
        try await eventually {
            await harness.scheduler.snapshot().inFlight == 0 && harness.simulator.currentInFlightRequests() == 0
        }
        try await Task.sleep(for: .milliseconds(100))  // a few ticks: the result would be written by now
        #expect(try await harness.task("rm").status == .untracked)
        try await harness.stop()
    }

    @Test func oldestDueTasksGoFirst() async throws {
        var policy = PollerHarness.fastPolicy()
        policy.concurrency = 1
        let harness = try await PollerHarness(policy: policy, startPolling: false)
        let now = Timestamp.now()
        _ = try await harness.store.add(["newer"], kind: "tts", now: now, firstChecks: [now.adding(seconds: -1)])
        _ = try await harness.store.add(["older"], kind: "tts", now: now, firstChecks: [now.adding(seconds: -5)])
        harness.start()
        try await eventually { harness.simulator.totalRequests() >= 2 }
        #expect(harness.simulator.recordedRequests().prefix(2).map(\.taskID) == ["older", "newer"])
        try await harness.stop()
    }

    @Test func everyKindIsPolledAtItsOwnPath() async throws {
        let harness = try await PollerHarness(defaultBehavior: .successAfterChecks(0))
        for kind in TaskKind.all { try await harness.add(["id-\(kind)"], kind: kind) }
        for kind in TaskKind.all { _ = try await harness.waitTerminal("id-\(kind)") }
        let paths = Set(harness.simulator.recordedRequests().map(\.path))
        #expect(paths == Set(TaskKind.all.map { "/\($0)/id-\($0)" }))
        try await harness.stop()
    }
}
