import CambSimulator
import Foundation
import Testing

/// Durations per kind: drawn per task from the kind's law, the same in every process with the
/// same seed, PENDING until they have passed since the task's start.
@Suite struct TaskDurationsTests {
    @Test func aTaskIsPendingUntilItsDurationHasPassedSinceItsStart() async throws {
        try await withSimulator { sim in
            sim.setDurations(TaskDurations(["dub": .fixed(3600), "tts": .fixed(0)]))
            sim.startTask("long", kind: "dub")
            let long = try await RawHTTPClient.get(port: sim.port, "/dub/long")
            #expect(try statusOf(long) == "PENDING")
            let short = try await RawHTTPClient.get(port: sim.port, "/tts/short")
            #expect(try statusOf(short) == "SUCCESS")
            #expect(sim.duration(of: "long", kind: "dub") == 3600)
            #expect(sim.duration(of: "x", kind: "translate") == nil, "a kind without a law keeps the default")
        }
    }

    @Test func drawsAreStablePerSeedAndFollowTheLaw() throws {
        let durations = try TaskDurations(parsing: "tts=lognormal:6:0.35,dub=uniform:20:40", seed: 3)
        #expect(durations.laws["tts"] == .lognormal(median: 6, sigma: 0.35))
        let again = TaskDurations(durations.laws, seed: 3)
        let other = TaskDurations(durations.laws, seed: 4)
        let ids = (0..<2000).map { "task-\($0)" }
        let draws = ids.map { durations.duration(kind: "tts", taskID: $0)! }
        #expect(draws == ids.map { again.duration(kind: "tts", taskID: $0)! })
        #expect(draws != ids.map { other.duration(kind: "tts", taskID: $0)! })
        let median = draws.sorted()[draws.count / 2]
        #expect(abs(median - 6) < 0.3, "median \(median)")
        let below = Double(draws.filter { $0 <= 9.41 }.count) / Double(draws.count)
        #expect(abs(below - 0.9) < 0.03, "\(below) at the true p90")
        #expect(ids.allSatisfy { (20...40).contains(durations.duration(kind: "dub", taskID: $0)!) })
    }

    @Test(arguments: ["tts", "tts=normal:1:2", "tts=lognormal:6", "tts=fixed:-1", "=fixed:1", "dub=uniform:5:1"])
    func aBadTextIsRefused(_ text: String) {
        #expect(throws: CambSimulatorError.self) { try TaskDurations(parsing: text) }
    }
}
