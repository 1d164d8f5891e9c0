import TTSTrack
import TTSTrackWire
import Testing

/// What each kind of API answer does to a task, one row per outcome and situation.
@Suite struct CheckRulesTests {
    struct Row: CustomTestStringConvertible, Sendable {
        let name: String
        var checks = 0
        var notFoundStreak = 0
        var ageSeconds = 10.0
        let outcome: CheckOutcome
        /// nil: the task is left untouched.
        let status: String?
        var terminal = false
        var runID: Int64? = nil
        var reason: String? = nil
        var message: String? = nil
        var failures = 0
        var streakAfter = 0
        var changed = false
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "PENDING stays pending", outcome: .report(.init(status: "PENDING")), status: "PENDING"),
        Row(
            name: "SUCCESS is terminal with run_id", outcome: .report(.init(status: "SUCCESS", runID: 42)),
            status: "SUCCESS", terminal: true, runID: 42, changed: true),
        Row(
            name: "ERROR keeps reason and message",
            outcome: .report(.init(status: "ERROR", reason: "HARMFUL_CONTENT_DETECTED", message: #"{"a":1}"#)),
            status: "ERROR", terminal: true, reason: "HARMFUL_CONTENT_DETECTED", message: #"{"a":1}"#, changed: true),
        Row(
            name: "TIMEOUT is terminal", outcome: .report(.init(status: "TIMEOUT")), status: "TIMEOUT", terminal: true,
            changed: true),
        Row(
            name: "PAYMENT_REQUIRED is terminal", outcome: .report(.init(status: "PAYMENT_REQUIRED")),
            status: "PAYMENT_REQUIRED", terminal: true, changed: true),
        Row(
            name: "unknown status is kept and polled", outcome: .report(.init(status: "QUEUED")), status: "QUEUED",
            changed: true),
        Row(name: "first 404 counts", outcome: .notFound, status: "PENDING", streakAfter: 1),
        Row(
            name: "third 404 in a row is NOT_FOUND", notFoundStreak: 2, outcome: .notFound, status: "NOT_FOUND",
            terminal: true, streakAfter: 3, changed: true),
        Row(
            name: "an answer resets the 404 streak", notFoundStreak: 2, outcome: .report(.init(status: "PENDING")),
            status: "PENDING", streakAfter: 0),
        Row(
            name: "5xx is a failed check", outcome: .failed(.httpStatus(503)), status: "PENDING",
            failures: 1),
        Row(
            name: "timeout is a failed check", outcome: .failed(.transport(TransportError(.timeout, host: "api"))),
            status: "PENDING",
            failures: 1),
        Row(name: "401 leaves the task alone", outcome: .unauthorized(.refused(status: 401)), status: nil),
        Row(name: "429 leaves the task alone", outcome: .rateLimited(retryAfter: 3), status: nil),
        Row(name: "cancelled leaves the task alone", outcome: .cancelled, status: nil),
        Row(
            name: "not terminal after give_up_after is EXPIRED", ageSeconds: 101,
            outcome: .report(.init(status: "PENDING")),
            status: "EXPIRED", terminal: true, changed: true),
        Row(
            name: "a failed check after give_up_after is EXPIRED", ageSeconds: 101,
            outcome: .failed(.httpStatus(500)), status: "EXPIRED", terminal: true, failures: 1,
            changed: true),
        Row(
            name: "terminal at the deadline is not EXPIRED", ageSeconds: 101,
            outcome: .report(.init(status: "SUCCESS", runID: 1)),
            status: "SUCCESS", terminal: true, runID: 1, changed: true),
    ]

    @Test(arguments: rows)
    func appliesTheRule(row: Row) {
        var policy = PollPolicy()
        policy.jitter = 0
        policy.giveUpAfter = 100
        policy.notFoundAfter = 3
        let now = Timestamp(milliseconds: 1_000_000_000)
        let task = DueTask(
            rowID: 7, taskID: "t", kind: "tts", status: .pending, checks: row.checks,
            notFoundStreak: row.notFoundStreak,
            addedAt: now.adding(seconds: -row.ageSeconds), nextCheckAt: now)
        var random = SystemRandomNumberGenerator()
        let update = CheckRules.update(for: task, outcome: row.outcome, now: now, policy: policy, using: &random)
        guard let status = row.status else {
            #expect(update == nil)
            return
        }
        guard let update else {
            Issue.record("expected an update")
            return
        }
        #expect(update.status.rawValue == status)
        #expect(update.terminal == row.terminal)
        #expect(update.runID == row.runID)
        #expect(update.reason == row.reason)
        #expect(update.message == row.message)
        #expect(update.failures == row.failures)
        #expect(update.notFoundStreak == row.streakAfter)
        #expect(update.changed == row.changed)
        #expect(update.checks == row.checks + 1)
        #expect(update.checkedAt == now)
        #expect(update.rowID == 7)
        #expect((update.nextCheckAt == nil) == row.terminal)
    }

    @Test func nextCheckFollowsTheBackoffAndStopsAtTheDeadline() {
        var policy = PollPolicy()
        policy.jitter = 0
        policy.minInterval = 2
        policy.backoff = 2
        policy.maxInterval = 10
        policy.giveUpAfter = 100
        let now = Timestamp(milliseconds: 5_000_000)
        var random = SystemRandomNumberGenerator()
        func next(checks: Int, age: Double) -> Double? {
            let task = DueTask(
                rowID: 1, taskID: "t", kind: "tts", status: .pending, checks: checks,
                addedAt: now.adding(seconds: -age),
                nextCheckAt: now)
            let update = CheckRules.update(
                for: task, outcome: .report(.init(status: "PENDING")), now: now, policy: policy, using: &random)
            return update?.nextCheckAt.map { $0.seconds(since: now) }
        }
        #expect(next(checks: 0, age: 1) == 2)
        #expect(next(checks: 1, age: 1) == 4)
        #expect(next(checks: 2, age: 1) == 8)
        #expect(next(checks: 3, age: 1) == 10)
        #expect(next(checks: 30, age: 1) == 10)
        #expect(next(checks: 30, age: 97) == 3)
    }
}
