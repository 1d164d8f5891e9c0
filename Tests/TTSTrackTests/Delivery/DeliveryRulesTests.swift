import TTSTrack
import TTSTrackWire
import Testing

/// Retries and giving up, on a clock the test moves: no sleeping.
@Suite struct DeliveryRulesTests {
    static func delivery(attempts: Int, dueAt: Timestamp) -> DueDelivery {
        DueDelivery(
            rowID: 7, target: .webhooks, taskID: "t", messageID: "msg_1", body: "{}", attempts: attempts,
            endedAt: Timestamp(milliseconds: 0), dueAt: dueAt)
    }

    @Test func gapsStartAtOneSecondDoubleAndStopAtTenMinutes() {
        var now = Timestamp(milliseconds: 1_000_000)
        var delivery = Self.delivery(attempts: 0, dueAt: now)
        var gaps: [Double] = []
        for _ in 0..<13 {
            let update = DeliveryRules.update(
                for: delivery, outcome: .failed(reason: "500", output: nil), maxAttempts: 100, now: now)
            guard case .retry(let at, let error)? = update?.change else {
                Issue.record("expected a retry, got \(String(describing: update))")
                return
            }
            #expect(error == "500")
            gaps.append(at.seconds(since: now))
            // The next attempt runs when due.
            now = at
            delivery = Self.delivery(attempts: update!.attempts, dueAt: at)
        }
        #expect(gaps == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600, 600])
    }

    @Test func theLastAllowedFailureGivesUpAndGoneGivesUpAtOnce() {
        let now = Timestamp(milliseconds: 5000)
        let last = DeliveryRules.update(
            for: Self.delivery(attempts: 2, dueAt: now), outcome: .failed(reason: "exit 1", output: nil),
            maxAttempts: 3, now: now)
        #expect(last == DeliveryUpdate(rowID: 7, taskID: "t", attempts: 3, change: .failed(error: "exit 1")))
        let gone = DeliveryRules.update(
            for: Self.delivery(attempts: 0, dueAt: now), outcome: .refused(reason: "410 Gone"), maxAttempts: 12,
            now: now)
        #expect(gone?.change == .failed(error: "410 Gone"))
        #expect(gone?.attempts == 1)
    }

    @Test func deliveredRemovesAndCancelledChangesNothing() {
        let now = Timestamp(milliseconds: 5000)
        let delivered = DeliveryRules.update(
            for: Self.delivery(attempts: 4, dueAt: now), outcome: .delivered(output: nil), maxAttempts: 8, now: now)
        #expect(delivered?.change == .delivered)
        #expect(
            DeliveryRules.update(
                for: Self.delivery(attempts: 4, dueAt: now), outcome: .cancelled, maxAttempts: 8, now: now) == nil)
    }
}
