public import CambSimulator
import Foundation
import Synchronization
package import TTSTrackWire

#if canImport(Glibc)
import Glibc
#endif

/// The real `ttstrackd` binary (a ``DaemonProcess``) polling an in-process CAMB.AI simulator
/// quickly, on a temporary socket and store: what the daemon's, the CLI's and the client
/// library's tests talk to, one per test so that tests can run in parallel.
///
/// Use it through ``with(defaultBehavior:environment:directory:simulator:_:)``, which tears
/// everything down whether the body returns or throws: a test that fails half-way leaves no
/// daemon, simulator or directory behind. A test may still stop the daemon itself (to check its
/// exit status, or to kill -9 it) and ``restart(environment:)`` it on the same store.
public final class DaemonFixture: Sendable {
    /// The key the fixture's simulator requires and its daemon sends.
    public static let apiKey = "sim-key"

    /// Polling fast enough for a test to see results in tens of milliseconds, with no rate limit
    /// (a limit would only make the bigger tests slower, and no test measures it here).
    public static let fastPolling: [String: String] = [
        "TTSTRACK_POLL_FIRST_DELAY": "0.05",
        "TTSTRACK_POLL_MIN_INTERVAL": "0.05",
        "TTSTRACK_POLL_MAX_INTERVAL": "0.2",
        "TTSTRACK_POLL_RATE": "0",
    ]

    /// The simulated CAMB.AI API; tests script it and read what it was asked.
    public let simulator: CambSimulator
    /// Where the socket, the store and the daemon's logs are.
    public let directory: String
    /// Whether ``directory`` was made by the fixture, and so is the fixture's to remove.
    private let ownsDirectory: Bool
    /// What the daemon was (re)started with beyond its clean environment.
    private let environment: Mutex<[String: String]>
    private let current: Mutex<DaemonProcess>

    private init(
        simulator: CambSimulator, directory: String, ownsDirectory: Bool, environment: [String: String],
        daemon: DaemonProcess
    ) {
        self.simulator = simulator
        self.directory = directory
        self.ownsDirectory = ownsDirectory
        self.environment = Mutex(environment)
        self.current = Mutex(daemon)
    }

    /// The daemon running now: after ``restart(environment:)`` a new process, with its own
    /// pid, stderr and exit status.
    public var daemon: DaemonProcess { current.withLock { $0 } }

    /// The daemon's control socket (the same across restarts).
    public var socketPath: String { daemon.socketPath }

    /// Starts a simulator and the daemon, runs `body`, then stops both and removes the
    /// directory, also when `body` throws (its error is rethrown) or the test is cancelled.
    /// - Parameters:
    ///   - defaultBehavior: how the fixture's own simulator answers unscripted ids; by default
    ///     two `PENDING` answers, then `SUCCESS`, so an unscripted task is checked a few times.
    ///   - environment: added over ``fastPolling`` and the simulator's URL and key, so a test
    ///     can change the polling, point the store elsewhere, set `NOTIFY_SOCKET`…
    ///   - directory: a directory the test prepared (a listener socket or a mount in it); the
    ///     test keeps it, as it may look into it afterwards. A fresh one, removed at the end
    ///     (unless `TTSTRACK_KEEP_TEST_DIRS` is set, for the sanitizers' reports), when nil.
    ///   - simulator: a simulator the test configured itself (another API key); started here
    ///     unless it already is, and shut down at the end like the fixture's own.
    ///     `defaultBehavior` is then the simulator's own.
    public static func with<Value>(
        defaultBehavior: CambSimulator.DefaultBehavior = .successAfterChecks(2),
        environment: [String: String] = [:], directory: String? = nil, simulator: CambSimulator? = nil,
        _ body: (DaemonFixture) async throws -> Value
    ) async throws -> Value {
        let fixture = try await start(
            defaultBehavior: defaultBehavior, environment: environment, directory: directory, simulator: simulator)
        let outcome: Result<Value, any Error>
        do {
            outcome = .success(try await body(fixture))
        } catch {
            outcome = .failure(error)
        }
        // In a task of its own: a cancelled test (a time limit) would otherwise cut short
        // every wait of the teardown, and the daemon would be killed instead of stopped.
        let teardown = await Task { await fixture.finish() }.value
        let result = try outcome.get()
        try teardown.get()
        return result
    }

    private static func start(
        defaultBehavior: CambSimulator.DefaultBehavior, environment: [String: String], directory: String?,
        simulator existing: CambSimulator?
    ) async throws -> DaemonFixture {
        let simulator = existing ?? CambSimulator(apiKey: apiKey, defaultBehavior: defaultBehavior)
        do {
            try await simulator.start()
        } catch CambSimulatorError.alreadyStarted {
            // A simulator the test started itself.
        }
        let ownsDirectory = directory == nil
        let directory = directory ?? DaemonProcess.makeTemporaryDirectory()
        do {
            let daemon = try await launch(simulator: simulator, environment: environment, directory: directory)
            return DaemonFixture(
                simulator: simulator, directory: directory, ownsDirectory: ownsDirectory, environment: environment,
                daemon: daemon)
        } catch {
            try? await simulator.shutdown()
            if ownsDirectory { TemporaryDirectories.remove(directory) }
            throw error
        }
    }

    /// Starts `ttstrackd` against `simulator` and waits until its socket answers.
    private static func launch(
        simulator: CambSimulator, environment: [String: String], directory: String
    ) async throws -> DaemonProcess {
        var settings = fastPolling
        settings["TTSTRACK_API_BASE_URL"] = simulator.baseURL
        settings["CAMB_API_KEY"] = apiKey
        settings.merge(environment) { _, new in new }
        let daemon = try DaemonProcess(environment: settings, directory: directory)
        do {
            try await daemon.waitUntilReady()
        } catch {
            await daemon.stop(signal: SIGKILL)
            throw error
        }
        return daemon
    }

    /// Stops the daemon if it still runs and starts a new one on the same directory, store
    /// and simulator: what survives a restart (or a kill -9 before it) is what tests check.
    /// - Parameter environment: replaces the overrides given to `with` from now on; nil keeps them.
    public func restart(environment overrides: [String: String]? = nil) async throws {
        await daemon.stop()
        let environment = self.environment.withLock { current in
            if let overrides { current = overrides }
            return current
        }
        let daemon = try await Self.launch(simulator: simulator, environment: environment, directory: directory)
        current.withLock { $0 = daemon }
    }

    /// Stops the daemon (SIGTERM) and the simulator, and removes the directory when the
    /// fixture made it. Stopping a daemon again is harmless, so this is safe after a test
    /// stopped or killed the daemon itself; the exit status is not checked here (tests that
    /// care check what `daemon.stop()` returns). The simulator's shutdown error is returned.
    private func finish() async -> Result<Void, any Error> {
        await daemon.stop()
        let shutdown: Result<Void, any Error>
        do {
            try await simulator.shutdown()
            shutdown = .success(())
        } catch {
            shutdown = .failure(error)
        }
        if ownsDirectory { TemporaryDirectories.remove(directory) }
        return shutdown
    }

    /// One call on a fresh connection, off the cooperative pool.
    package func call(_ method: String, _ parameters: [String: JSONValue] = [:]) async throws -> [String: JSONValue] {
        let path = socketPath
        return try await blocking {
            let client = try VarlinkClient(path: path)
            return try client.call(method, parameters)
        }
    }

    /// The error a call is answered with, or nil when it succeeds.
    package func error(_ method: String, _ parameters: [String: JSONValue] = [:]) async throws -> VarlinkError? {
        do {
            _ = try await call(method, parameters)
            return nil
        } catch VarlinkClient.ClientError.remote(let error) {
            return error
        }
    }
}
