import Testing

@testable import TTSTrack

/// The `STATUS=` line `systemctl status` shows.
@Suite struct HealthReporterTests {
    let snapshot = Scheduler.Snapshot(checksTotal: 0, checksFailed: 0, health: APIHealth(), inFlight: 0)

    @Test func resultsWaitingOrGivenUpAreCounted() {
        let counts = ["PENDING": 3, "SUCCESS": 5]
        #expect(
            HealthReporter.statusLine(counts: counts, checksPerSecond: 2, snapshot: snapshot)
                == "3 pending, 5 done, 2.0 checks/s, API ok")
        #expect(
            HealthReporter.statusLine(
                counts: counts, checksPerSecond: 2, snapshot: snapshot, results: ["pending": 2, "done": 2, "failed": 1])
                == "3 pending, 5 done, 2.0 checks/s, API ok, 2 results pending, 1 failed")
        #expect(
            HealthReporter.statusLine(counts: counts, checksPerSecond: 0, snapshot: snapshot, results: ["done": 5])
                == "3 pending, 5 done, 0.0 checks/s, API ok", "all on disk: nothing to say")
    }
}
