import Testing

@testable import TTSTrack

/// The engines' loop life on given instants: work while running, drain after a shutdown request
/// until nothing is in flight or the grace is over.
@Suite struct EnginePhaseTests {
    let start = ContinuousClock.now

    @Test func runningTakesWorkUntilAShutdownIsRequested() {
        var phase = EnginePhase.running
        #expect(phase.beat(shutdownRequested: false, now: start, grace: .seconds(5), idle: true) == .work)
        guard case .running = phase else {
            Issue.record("still running: \(phase)")
            return
        }
    }

    @Test func drainingWaitsForWorkInFlightUntilTheGraceEnds() {
        var phase = EnginePhase.running
        let deadline = start + .seconds(5)
        #expect(
            phase.beat(shutdownRequested: true, now: start, grace: .seconds(5), idle: false) == .wait(until: deadline))
        // The deadline is set once, at the request, not moved by later wake-ups.
        #expect(
            phase.beat(shutdownRequested: true, now: start + .seconds(2), grace: .seconds(5), idle: false)
                == .wait(until: deadline))
        #expect(phase.beat(shutdownRequested: true, now: deadline, grace: .seconds(5), idle: false) == .stop)
    }

    @Test func drainingStopsAsSoonAsNothingIsInFlight() {
        var phase = EnginePhase.running
        #expect(phase.beat(shutdownRequested: true, now: start, grace: .seconds(5), idle: true) == .stop)
        var stopped = EnginePhase.stopped
        #expect(stopped.beat(shutdownRequested: false, now: start, grace: .seconds(5), idle: false) == .stop)
    }
}
