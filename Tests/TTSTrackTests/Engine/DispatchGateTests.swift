import Testing

@testable import TTSTrack

/// The gate on an injected clock: one token bucket and the API's health for all API work.
@Suite struct DispatchGateTests {
    let t0 = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int64(seconds * 1000)) }

    @Test func theBurstGoesAtOnceThenOneItemPerToken() {
        var gate = DispatchGate(rate: 10, burst: 3, now: at(0))
        for _ in 0..<3 { #expect(gate.admit(now: at(0)) == .admit(probe: false)) }
        #expect(gate.admit(now: at(0)) == .waitUntil(at(0.1)))
        #expect(gate.admit(now: at(0.05)) == .waitUntil(at(0.1)))
        #expect(gate.admit(now: at(0.1)) == .admit(probe: false))
        #expect(gate.admit(now: at(0.1)) == .waitUntil(at(0.2)))
        #expect(gate.admit(now: at(10)) == .admit(probe: false), "saved up to the burst only")
        #expect(gate.admit(now: at(10)) == .admit(probe: false))
        #expect(gate.admit(now: at(10)) == .admit(probe: false))
        #expect(gate.admit(now: at(10)) == .waitUntil(at(10.1)))
    }

    @Test func noRateMeansNoLimit() {
        var gate = DispatchGate(rate: 0, burst: 1, now: at(0))
        for _ in 0..<10_000 { #expect(gate.admit(now: at(0)) == .admit(probe: false)) }
    }

    @Test func aPauseHoldsEverythingAndABadKeyLetsOneProbeThrough() {
        var gate = DispatchGate(rate: 100, burst: 100, now: at(0))
        gate.record(.rateLimited(retryAfter: 3), now: at(0))
        #expect(gate.admit(now: at(1)) == .waitUntil(at(3)))
        #expect(gate.admit(now: at(3)) == .admit(probe: false))
        gate.record(.unauthorized(.refused(status: 403)), now: at(4))
        #expect(gate.admit(now: at(4.5)) == .waitUntil(at(5)))
        #expect(gate.admit(now: at(5)) == .admit(probe: true))
        #expect(gate.admit(now: at(5)) == .waitForOutcome)
        gate.record(.answered, now: at(5.1))
        #expect(gate.admit(now: at(5.1)) == .admit(probe: false))
        #expect(gate.health.state == .ok)
    }

    @Test func aReloadKeepsNoMoreSavedThanTheNewBurst() {
        var gate = DispatchGate(rate: 10, burst: 10, now: at(0))
        gate.reconfigure(rate: 10, burst: 2)
        #expect(gate.admit(now: at(0)) == .admit(probe: false))
        #expect(gate.admit(now: at(0)) == .admit(probe: false))
        #expect(gate.admit(now: at(0)) == .waitUntil(at(0.1)))
    }
}
