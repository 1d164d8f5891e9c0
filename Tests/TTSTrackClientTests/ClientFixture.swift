import CambSimulator
import Foundation
import TTSTrackClient
import TTSTrackTestSupport

/// A real `ttstrackd` on a temporary socket and store, polling an in-process CAMB.AI
/// simulator quickly: what each client test talks to, one per test.
final class ClientFixture: Sendable {
    let sim: CambSimulator
    let daemon: DaemonProcess

    static let apiKey = "client-test-key"

    private init(sim: CambSimulator, daemon: DaemonProcess) {
        self.sim = sim
        self.daemon = daemon
    }

    /// Runs `body` with a started simulator and daemon, and stops both afterwards, also when
    /// `body` throws.
    static func with(
        defaultBehavior: CambSimulator.DefaultBehavior = .successAfterChecks(1),
        _ body: (ClientFixture) async throws -> Void
    ) async throws {
        let sim = CambSimulator(apiKey: apiKey, defaultBehavior: defaultBehavior)
        try await sim.start(port: 0)
        let daemon: DaemonProcess
        do {
            daemon = try DaemonProcess(environment: [
                "TTSTRACK_API_BASE_URL": sim.baseURL,
                "CAMB_API_KEY": apiKey,
                "TTSTRACK_POLL_FIRST_DELAY": "0.05",
                "TTSTRACK_POLL_MIN_INTERVAL": "0.05",
                "TTSTRACK_POLL_MAX_INTERVAL": "0.2",
                "TTSTRACK_POLL_RATE": "1000",
                "TTSTRACK_POLL_BURST": "1000",
            ])
            try await daemon.waitUntilReady()
        } catch {
            try? await sim.shutdown()
            throw error
        }
        let fixture = ClientFixture(sim: sim, daemon: daemon)
        defer { try? FileManager.default.removeItem(atPath: daemon.directory) }
        do {
            try await body(fixture)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }

    /// A client connected to the daemon.
    func client() async throws -> TrackerClient {
        try await TrackerClient.connect(to: daemon.socketPath)
    }

    private func stop() async {
        await daemon.stop()
        try? await sim.shutdown()
    }
}
