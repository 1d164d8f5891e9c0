import CambSimulator
import Foundation
import TTSTrack
import TTSTrackTestSupport

/// A real `ttstrackd` on a temporary socket and store, polling an in-process CAMB.AI
/// simulator quickly: what each CLI test talks to. One per test, so tests can run in parallel.
final class TrackerFixture: Sendable {
    let sim: CambSimulator
    let daemon: DaemonProcess

    static let apiKey = "cli-test-key"

    private init(sim: CambSimulator, daemon: DaemonProcess) {
        self.sim = sim
        self.daemon = daemon
    }

    /// Starts the simulator and the daemon and waits until the daemon answers.
    static func start(
        defaultBehavior: CambSimulator.DefaultBehavior = .successAfterChecks(1),
        firstDelay: Double = 0.05,
        environment: [String: String] = [:]
    ) async throws -> TrackerFixture {
        let sim = CambSimulator(apiKey: apiKey, defaultBehavior: defaultBehavior)
        try await sim.start(port: 0)
        var env = [
            "TTSTRACK_API_BASE_URL": sim.baseURL,
            "CAMB_API_KEY": apiKey,
            "TTSTRACK_POLL_FIRST_DELAY": String(firstDelay),
            "TTSTRACK_POLL_MIN_INTERVAL": "0.05",
            "TTSTRACK_POLL_MAX_INTERVAL": "0.2",
            "TTSTRACK_POLL_RATE": "1000",
            "TTSTRACK_POLL_BURST": "1000",
        ]
        env.merge(environment) { _, new in new }
        let daemon: DaemonProcess
        do {
            daemon = try DaemonProcess(environment: env)
            try await daemon.waitUntilReady()
        } catch {
            try? await sim.shutdown()
            throw error
        }
        return TrackerFixture(sim: sim, daemon: daemon)
    }

    /// Runs `body` with a fresh fixture and stops the fixture afterwards, also when `body` throws.
    static func with(
        defaultBehavior: CambSimulator.DefaultBehavior = .successAfterChecks(1),
        firstDelay: Double = 0.05,
        _ body: (TrackerFixture) async throws -> Void
    ) async throws {
        let fixture = try await start(defaultBehavior: defaultBehavior, firstDelay: firstDelay)
        do {
            try await body(fixture)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }

    /// `ttstrack arguments… --socket <the daemon's socket>`, run to the end.
    func run(_ arguments: [String], stdin: String? = nil) async throws -> CLIResult {
        try await CLIRun.run(arguments + ["--socket", daemon.socketPath], stdin: stdin)
    }

    /// Starts `ttstrack arguments… --socket …` and returns without waiting (for `watch`).
    func spawn(_ arguments: [String]) throws -> CLIRun {
        try CLIRun(arguments + ["--socket", daemon.socketPath])
    }

    /// Stops the daemon and the simulator and removes the temporary directory.
    func stop() async {
        await daemon.stop()
        try? await sim.shutdown()
        try? FileManager.default.removeItem(atPath: daemon.directory)
    }
}
