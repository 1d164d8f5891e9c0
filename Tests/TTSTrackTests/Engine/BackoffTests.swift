import TTSTrack
import Testing

@Suite struct BackoffTests {
    @Test func jitterStretchesWithinBounds() {
        var policy = PollPolicy()
        policy.jitter = 0.1
        var random = SystemRandomNumberGenerator()
        let values = (0..<1000).map { _ in Backoff.jittered(10, policy: policy, using: &random) }
        #expect(values.allSatisfy { $0 >= 10 && $0 <= 11 })
        #expect(Set(values).count > 100, "tasks added together must spread out")
    }

    @Test func tokenBucketHoldsTheRate() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(rate: 10, burst: 5, now: start)
        var taken = 0
        while bucket.take() { taken += 1 }
        #expect(taken == 5, "a full burst at first")
        bucket.refill(now: start + .milliseconds(300))
        taken = 0
        while bucket.take() { taken += 1 }
        #expect(taken == 3)
        bucket.refill(now: start + .seconds(100))
        #expect(bucket.available == 5, "never more than the burst")
    }

    @Test func unlimitedBucketNeverRunsOut() {
        var bucket = TokenBucket(rate: 0, burst: 1, now: .now)
        var granted = 0
        for _ in 0..<10_000 where bucket.take() { granted += 1 }
        #expect(granted == 10_000)
    }
}
