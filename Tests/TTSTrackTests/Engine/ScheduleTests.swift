import TTSTrack
import TTSTrackWire
import Testing

/// The backoff rule's bounds: every gap within `poll.min_interval`…`poll.max_interval`, jitter
/// or not, and no first check after the `give_up_after` deadline.
@Suite struct ScheduleTests {
    static let added = Timestamp(milliseconds: 1_700_000_000_000)

    static func backoffPolicy(min: Double = 1, max: Double = 30) -> PollPolicy {
        var policy = PollPolicy()
        policy.schedule = .backoff
        policy.minInterval = min
        policy.maxInterval = max
        policy.backoff = 2
        policy.jitter = 0.1
        policy.giveUpAfter = 86_400
        return policy
    }

    static func gap(
        afterChecks checks: Int, _ policy: PollPolicy, using random: inout some RandomNumberGenerator
    )
        -> Double
    {
        let now = added.adding(seconds: 100)
        return Schedule.nextCheck(afterChecks: checks, at: now, addedAt: added, policy: policy, using: &random)
            .seconds(since: now)
    }

    @Test func backoffGapsStayWithinTheIntervalsAndStillSpreadAtTheCap() {
        let policy = Self.backoffPolicy()
        var random = SystemRandomNumberGenerator()
        for checks in 1...12 {
            let gaps = (0..<300).map { _ in Self.gap(afterChecks: checks, policy, using: &random) }
            #expect(gaps.allSatisfy { $0 >= 1 && $0 <= 30 }, "after \(checks) checks: \(gaps.min()!)…\(gaps.max()!)")
        }
        let capped = (0..<300).map { _ in Self.gap(afterChecks: 12, policy, using: &random) }
        #expect(Set(capped).count > 100, "tasks at the cap still spread out")
        #expect(capped.allSatisfy { $0 >= 30 / 1.1 - 0.001 })
    }

    @Test func equalIntervalsGiveExactlyThatGap() {
        let policy = Self.backoffPolicy(min: 5, max: 5)
        var random = SystemRandomNumberGenerator()
        let gaps = (0..<100).map { _ in Self.gap(afterChecks: 3, policy, using: &random) }
        #expect(gaps.allSatisfy { $0 == 5 })
    }

    @Test func theFirstCheckIsNeverAfterTheGiveUpDeadline() {
        var policy = Self.backoffPolicy()
        policy.firstDelay = 60
        policy.giveUpAfter = 5
        var random = SystemRandomNumberGenerator()
        let first = Schedule.firstCheck(addedAt: Self.added, policy: policy, using: &random)
        #expect(first.seconds(since: Self.added) == 5)
        policy.giveUpAfter = 86_400
        let later = Schedule.firstCheck(addedAt: Self.added, policy: policy, using: &random)
        #expect(later.seconds(since: Self.added) >= 60 && later.seconds(since: Self.added) <= 66)
    }
}
