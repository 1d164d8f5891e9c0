import CambSimulator
import Foundation
import TTSTrackTestSupport
import TTSTrackWire
import Testing

@testable import TTSTrack

/// The adaptive schedule's parts on an injected clock: the learner on interval-censored finishes,
/// the plans it makes, the ranking of due checks under a rate limit, and the store keeping it.
@Suite struct DurationLearnerTests {
    static let law = TaskDurations.Law.lognormal(median: 6, sigma: 0.35)
    static let added = Timestamp(milliseconds: 1_000_000)

    /// Finishes of `count` tasks drawn from `law`, each seen by checks at `ages` shifted by a
    /// random phase in `0..<phase`: the interval between the last check before its finish and
    /// the first after, as the daemon sees them.
    static func finishes(
        _ count: Int, law: TaskDurations.Law = law, ages: [Double], phase: Double, kind: String = "tts",
        seed: UInt64 = 7
    ) -> [DurationObservation] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            let duration = law.quantile(Double.random(in: 0.0001..<0.9999, using: &random))
            let shift = Double.random(in: 0..<phase, using: &random)
            let checks = ages.map { $0 + shift }
            let upper = checks.first { $0 >= duration } ?? (duration + 1)
            let lower = checks.last { $0 < duration } ?? 0
            return DurationObservation(kind: kind, lower: lower, upper: upper, at: added.adding(seconds: upper))
        }
    }

    /// The backoff's ages: 1 s, then gaps growing by 1.5 up to 30 s.
    static let backoffAges: [Double] = {
        var ages = [1.0]
        var gap = 1.0
        while ages.last! < 120 {
            ages.append(ages.last! + gap)
            gap = min(gap * 1.5, 30)
        }
        return ages
    }()

    @Test func theLearnerRecoversAKnownLawFromIntervalsOfTheBackoff() throws {
        let learner = DurationLearner(finishes: Self.finishes(256, ages: Self.backoffAges, phase: 1))
        let law = try #require(learner.law(for: "tts"))
        let median = law.quantile(0.5)
        let p90 = law.quantile(0.9)
        #expect(abs(median - 6) / 6 < 0.06, "median \(median), true 6")
        let trueP90 = Self.law.quantile(0.9)
        #expect(abs(p90 - trueP90) / trueP90 < 0.08, "p90 \(p90), true \(trueP90)")
    }

    @Test func wideIntervalsFromSparseChecksAreNotReadAsTheirEnds() throws {
        // Checks every 5 s: every interval is 5 s wide, most of a 6 s task's duration.
        let ages = (1...30).map { Double($0) * 5 }
        let finishes = Self.finishes(256, ages: ages, phase: 5)
        let law = try #require(DurationLearner(finishes: finishes).law(for: "tts"))
        #expect(abs(law.quantile(0.5) - 6) / 6 < 0.1, "median \(law.quantile(0.5)), true 6")
        let ends = finishes.map(\.upper).sorted()[128]
        #expect(ends > 7.5, "the median of the interval ends (\(ends)) is well off: what a naive reading gets")
    }

    @Test func aKindWithFewFinishesFollowsTheBackoffUntilEnoughAreSeen() throws {
        let finishes = Self.finishes(DurationLearner.enoughFinishes, ages: Self.backoffAges, phase: 1)
        var learner = DurationLearner()
        for finish in finishes.dropLast() { learner.record(finish) }
        #expect(learner.law(for: "tts") == nil)
        #expect(learner.summary["tts"] == LearnedDurations(finishes: DurationLearner.enoughFinishes - 1))
        let policy = PollPolicy()
        #expect(SchedulePlans(learner: learner, policy: policy).plan(for: "tts") == nil)
        var random = SeededRandom(seed: 1)
        var noJitter = policy
        noJitter.jitter = 0
        let next = Schedule.nextCheck(
            afterChecks: 3, at: Self.added.adding(seconds: 4), addedAt: Self.added, policy: noJitter,
            plan: SchedulePlans(learner: learner, policy: noJitter).plan(for: "tts"), using: &random)
        #expect(next == Self.added.adding(seconds: 4 + 2.25), "the backoff: 1 s × 1.5² after the third check")

        let madeLaw = learner.record(finishes.last!)
        #expect(madeLaw, "the twentieth finish makes a law")
        let summary = try #require(learner.summary["tts"])
        #expect(summary.finishes == DurationLearner.enoughFinishes && summary.median != nil && summary.p90 != nil)
        #expect(SchedulePlans(learner: learner, policy: policy).plan(for: "tts") != nil)
        var backoff = policy
        backoff.schedule = .backoff
        #expect(SchedulePlans(learner: learner, policy: backoff).plan(for: "tts") == nil, "backoff keeps the old rule")
    }

    @Test func theWindowKeepsTheNewestFinishesAndFollowsAChange() throws {
        var learner = DurationLearner(
            finishes: Self.finishes(DurationLearner.window, ages: Self.backoffAges, phase: 1))
        let slower = TaskDurations.Law.lognormal(median: 12, sigma: 0.35)
        for finish in Self.finishes(DurationLearner.window, law: slower, ages: Self.backoffAges, phase: 1, seed: 8) {
            learner.record(finish)
        }
        #expect(learner.summary["tts"]?.finishes == DurationLearner.window)
        let median = try #require(learner.summary["tts"]?.median)
        #expect(abs(median - 12) / 12 < 0.1, "median \(median) after the tasks got slower")
    }

    @Test func thePlanChecksWhereFinishingIsLikelyWithinTheBounds() throws {
        let law = try #require(
            DurationLearner(finishes: Self.finishes(256, ages: Self.backoffAges, phase: 1)).law(for: "tts"))
        var policy = PollPolicy()
        policy.jitter = 0
        let plan = SchedulePlans.plan(for: law, policy: policy)
        #expect(plan.firstCheck > 3.5 && plan.firstCheck < 7, "first check at \(plan.firstCheck) s, the median is 6 s")
        let ages = plan.ages(until: 30)
        #expect(zip(ages, ages.dropFirst()).allSatisfy { $1 - $0 >= policy.minInterval - 1e-9 })
        // Fewer checks than a 1 s loop until the p90, yet more than one.
        #expect(ages.filter { $0 <= 9.4 }.count <= 4 && ages.count > 1)

        var random = SeededRandom(seed: 3)
        var tight = policy
        tight.minInterval = 2
        tight.maxInterval = 2.5
        let tightPlan = SchedulePlans.plan(for: law, policy: tight)
        for age in stride(from: 0.0, through: 20, by: 0.5) {
            let next = Schedule.nextCheck(
                afterChecks: 2, at: Self.added.adding(seconds: age), addedAt: Self.added, policy: tight,
                plan: tightPlan,
                using: &random)
            let gap = next.seconds(since: Self.added.adding(seconds: age))
            #expect(gap >= 2 - 1e-3 && gap <= 2.5 + 1e-3, "gap \(gap) after a check at \(age) s")
        }
        // A law much longer than max_interval: the first check comes by max_interval all the same.
        let long = try #require(
            DurationLearner(
                finishes: Self.finishes(
                    64, law: .lognormal(median: 600, sigma: 0.2), ages: (1...100).map { Double($0) * 30 }, phase: 30)
            ).law(for: "tts"))
        let first = Schedule.firstCheck(
            addedAt: Self.added, policy: policy, plan: SchedulePlans.plan(for: long, policy: policy), using: &random)
        #expect(first.seconds(since: Self.added) <= policy.maxInterval + 1e-3)
    }

    @Test func oneFinishSeenAfterAnOutageDoesNotCoarsenThePlan() throws {
        // 255 finishes around 6 s, and one task that finished during a six-hour outage: seen
        // only as "somewhere between Add and 21,600 s". The plan must still check a 6 s kind
        // within seconds, as it does without the outlier.
        var finishes = Self.finishes(255, ages: Self.backoffAges, phase: 1)
        finishes.append(
            DurationObservation(kind: "tts", lower: 0, upper: 21_600, at: Self.added.adding(seconds: 21_600)))
        let law = try #require(DurationLearner(finishes: finishes).law(for: "tts"))
        var policy = PollPolicy()
        policy.jitter = 0
        let plan = SchedulePlans.plan(for: law, policy: policy)
        #expect(plan.step <= policy.minInterval / 2, "grid step \(plan.step) s")
        #expect(plan.firstCheck > 3 && plan.firstCheck < 8, "first check at \(plan.firstCheck) s")
        let ages = plan.ages(until: 30)
        #expect(ages.filter { $0 <= 12 }.count >= 2, "checks while the kind usually finishes: \(ages)")
    }

    @Test func underARateLimitTheLikeliestFinishedGoFirstAndNoneStarves() throws {
        let tts = try #require(
            DurationLearner(finishes: Self.finishes(64, ages: Self.backoffAges, phase: 1)).law(for: "tts"))
        let policy = PollPolicy()
        let now = Self.added.adding(seconds: 100)
        func task(_ id: String, addedSecondsAgo: Double, checkedSecondsAgo: Double?, overdue: Double) -> DueTask {
            DueTask(
                rowID: 1, taskID: id, kind: "tts", status: .pending, checks: checkedSecondsAgo == nil ? 0 : 1,
                addedAt: now.adding(seconds: -addedSecondsAgo), nextCheckAt: now.adding(seconds: -overdue),
                checkedAt: checkedSecondsAgo.map { now.adding(seconds: -$0) })
        }
        // Pending at 5 s, now 8 s old: most tasks finish in between.
        let likely = task("likely", addedSecondsAgo: 8, checkedSecondsAgo: 3, overdue: 1)
        // Just added 2 s ago, never checked: few finish so soon.
        let young = task("young", addedSecondsAgo: 2, checkedSecondsAgo: nil, overdue: 1)
        // Checked at 3 s, now 3.5 s: little time has passed.
        let recent = task("recent", addedSecondsAgo: 3.5, checkedSecondsAgo: 0.5, overdue: 2)
        // Overdue by more than max_interval: first whatever its chance.
        let starving = task("starving", addedSecondsAgo: 2.5, checkedSecondsAgo: 1, overdue: policy.maxInterval + 1)
        let urgency = { (task: DueTask) in Schedule.urgency(of: task, now: now, policy: policy, law: tts) }
        #expect(urgency(likely) > 0.5, "\(urgency(likely))")
        #expect(urgency(young) < 0.1 && urgency(recent) < urgency(likely) / 2, "\(urgency(young)), \(urgency(recent))")
        #expect(urgency(starving) > 1)

        var feeder = DueFeeder<DueTask>()
        let read = feeder.nextRead(limit: 10, now: ContinuousClock.now)
        feeder.accept([recent, young, likely, starving], of: read)
        feeder.rank(by: urgency)
        #expect([feeder.take(), feeder.take()].map { $0?.taskID } == ["starving", "likely"])
        // The longer overdue of two starving tasks goes first.
        let older = task("older", addedSecondsAgo: 80, checkedSecondsAgo: 50, overdue: policy.maxInterval + 20)
        #expect(urgency(older) > urgency(starving))
    }

    @Test func aTerminalReportRecordsTheIntervalSinceTheLastPendingCheck() throws {
        var random = SeededRandom(seed: 1)
        let checked = Self.added.adding(seconds: 4)
        let now = Self.added.adding(seconds: 7)
        let seen = DueTask(
            rowID: 1, taskID: "t", kind: "dub", status: .pending, checks: 2, addedAt: Self.added,
            nextCheckAt: now, checkedAt: checked)
        let success = CheckOutcome.report(.init(status: "SUCCESS", runID: 1))
        let update = try #require(
            CheckRules.update(for: seen, outcome: success, now: now, policy: PollPolicy(), using: &random))
        #expect(update.finish == DurationObservation(kind: "dub", lower: 4, upper: 7, at: now))
        var failedBefore = seen
        failedBefore.failures = 1
        let wide = try #require(
            CheckRules.update(for: failedBefore, outcome: success, now: now, policy: PollPolicy(), using: &random))
        #expect(wide.finish?.lower == 0, "the last check saw nothing: the interval starts at Add")
        let pending = try #require(
            CheckRules.update(
                for: seen, outcome: .report(.init(status: "PENDING")), now: now, policy: PollPolicy(), using: &random))
        #expect(pending.finish == nil)
        var policy = PollPolicy()
        policy.notFoundAfter = 1
        let gone = try #require(
            CheckRules.update(for: seen, outcome: .notFound, now: now, policy: policy, using: &random))
        #expect(gone.status == .notFound && gone.finish == nil, "NOT_FOUND is the daemon's verdict, not a finish")
        policy.giveUpAfter = 5
        let expired = try #require(
            CheckRules.update(
                for: seen, outcome: .report(.init(status: "PENDING")), now: now, policy: policy, using: &random))
        #expect(expired.status == .expired && expired.finish == nil)
    }

    @Test func finishesSurviveARestartOfTheStoreAndGiveTheSameFigures() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let finishes = Self.finishes(DurationLearner.window + 40, ages: Self.backoffAges, phase: 1)
        var learned = DurationLearner()
        do {
            let (store, _) = try makeStore(directory)
            let ids = finishes.indices.map { "task-\($0)" }
            try await store.add(ids, dueAt: Self.added, now: Self.added)
            let due = try await store.dueTasks(now: Self.added, limit: ids.count, excluding: [])
            let updates = zip(due, finishes).map { task, finish in
                var update = TaskUpdate(
                    rowID: task.rowID, taskID: task.taskID, status: .success, terminal: true, runID: 1, reason: nil,
                    message: nil, checks: 3, failures: 0, notFoundStreak: 0, checkedAt: finish.at, nextCheckAt: nil,
                    changed: true)
                update.finish = finish
                return update
            }
            for batch in stride(from: 0, to: updates.count, by: 50) {
                let slice = Array(updates[batch..<min(batch + 50, updates.count)])
                try await store.apply(slice, now: Self.added)
                for update in slice { learned.record(update.finish!) }
            }
        }
        let (reopened, _) = try await reopenStore(directory)
        let kept = try await reopened.finishes()
        #expect(kept.count == DurationLearner.window, "the store keeps the newest window")
        #expect(kept == Array(finishes.suffix(DurationLearner.window).map { Self.rounded($0) }))
        let restarted = try #require(DurationLearner(finishes: kept).summary["tts"])
        let fresh = try #require(DurationLearner(finishes: finishes.map(Self.rounded)).summary["tts"])
        #expect(restarted == fresh, "reloaded, the learner gives the figures of one that saw the same finishes")
        // The running learner refits every few finishes: its figures are close to those.
        let running = try #require(learned.summary["tts"])
        #expect(running.finishes == restarted.finishes)
        #expect(abs((running.median ?? 0) - (restarted.median ?? 1)) < 0.2)
    }

    /// A finish as the store keeps it: to the millisecond.
    static func rounded(_ finish: DurationObservation) -> DurationObservation {
        DurationObservation(
            kind: finish.kind, lower: (finish.lower * 1000).rounded() / 1000,
            upper: (finish.upper * 1000).rounded() / 1000, at: finish.at)
    }
}
