import Testing

@testable import TTSTrack

/// API health as a value on an injected clock: outcomes in, admissions and transitions out.
@Suite struct APIHealthTests {
    let t0 = ContinuousClock.now
    let refused = APIObservation.failed(.transport(TransportError(.refused, host: "api")))
    let pending = APIObservation.answered

    func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int64(seconds * 1000)) }

    @Test func aTransportFailureMakesItUnreachableOnceAndAnAnswerRecovers() {
        var health = APIHealth()
        #expect(health.record(refused, now: at(0)) == .unreachable("connection to api refused"))
        #expect(health.state == .unreachable && health.admission(now: at(0)) == .open)
        #expect(health.record(refused, now: at(1)) == nil, "the same failure is told once")
        let timeout = APIObservation.failed(.transport(TransportError(.timeout, host: "api")))
        #expect(health.record(timeout, now: at(2)) == .unreachable("no answer from api in time"), "a new one is told")
        #expect(health.record(.failed(.httpStatus(500)), now: at(3)) == nil)
        #expect(health.state == .ok, "any HTTP answer means the API is reachable")
        #expect(health.error == "API answered HTTP 500")
        #expect(health.record(pending, now: at(4)) == nil)
        #expect(health.error == nil)
    }

    @Test func aRefusedKeyPausesThenAdmitsOneProbeAtATime() {
        var health = APIHealth()
        #expect(
            health.record(.unauthorized(.refused(status: 401)), now: at(0))
                == .unauthorized("API refused the key (HTTP 401)"))
        #expect(health.admission(now: at(0.5)) == .closed(until: at(1)))
        #expect(health.admission(now: at(1)) == .probe)
        health.probeStarted()
        #expect(health.admission(now: at(1.1)) == .closed(until: nil), "one probe at a time")
        #expect(health.record(.failed(.httpStatus(503)), now: at(1.2)) == nil)
        #expect(health.admission(now: at(1.2)) == .probe, "a probe that learned nothing makes room for the next")
        health.probeStarted()
        #expect(health.record(.unauthorized(.refused(status: 401)), now: at(1.3)) == nil, "told once")
        #expect(health.admission(now: at(2)) == .closed(until: at(3.3)), "the pause doubles: 2 s")
        #expect(health.record(pending, now: at(3.5)) == .recovered)
        #expect(health.state == .ok && health.admission(now: at(3.5)) == .open)
    }

    @Test func answersToChecksSentBeforeThePauseDoNotLengthenIt() {
        var health = APIHealth()
        health.record(.unauthorized(.noKey), now: at(0))
        health.record(.unauthorized(.noKey), now: at(0.2))
        health.record(.unauthorized(.noKey), now: at(0.4))
        #expect(
            health.admission(now: at(1.39)) == .closed(until: at(1.4)), "still the first pause, from the last answer")
        health.record(.unauthorized(.noKey), now: at(1.5))
        #expect(health.admission(now: at(1.5)) == .closed(until: at(3.5)))
        #expect(APIHealth.unauthorizedPause(streak: 10) == 60)
    }

    @Test func aRateLimitPausesForRetryAfterAndReadsRateLimitedUntilAnAnswer() {
        var health = APIHealth()
        #expect(health.record(.rateLimited(retryAfter: 2), now: at(0)) == .rateLimited(pause: 2))
        health.record(.rateLimited(retryAfter: 1), now: at(0.1))
        #expect(health.admission(now: at(1.5)) == .closed(until: at(2)), "a shorter Retry-After does not shorten it")
        #expect(health.record(.failed(.httpStatus(500)), now: at(2.5)) == nil)
        #expect(health.admission(now: at(2.5)) == .open && health.state == .rateLimited)
        health.record(pending, now: at(3))
        #expect(health.state == .ok)
        health.record(.rateLimited(retryAfter: nil), now: at(4))
        #expect(health.admission(now: at(4.5)) == .closed(until: at(5)), "1 s without Retry-After")
        health.record(.rateLimited(retryAfter: 1e9), now: at(6))
        #expect(health.admission(now: at(6)) == .closed(until: at(6 + APIHealth.maxRateLimitPause)))
    }
}
