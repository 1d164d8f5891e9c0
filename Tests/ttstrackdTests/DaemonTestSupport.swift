import CambSimulator
import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire

/// A simulator plus the real daemon binary pointed at it with fast polling.
struct DaemonUnderTest {
    let simulator: CambSimulator
    let daemon: DaemonProcess

    static func start(
        defaultBehavior: CambSimulator.DefaultBehavior = .successAfterChecks(2), extra: [String: String] = [:],
        directory: String? = nil, simulator existing: CambSimulator? = nil
    ) async throws -> DaemonUnderTest {
        let simulator: CambSimulator
        if let existing {
            simulator = existing
        } else {
            simulator = CambSimulator(apiKey: "sim-key", defaultBehavior: defaultBehavior)
            try await simulator.start()
        }
        var environment = [
            "TTSTRACK_API_BASE_URL": simulator.baseURL,
            "CAMB_API_KEY": "sim-key",
            "TTSTRACK_POLL_FIRST_DELAY": "0.05",
            "TTSTRACK_POLL_MIN_INTERVAL": "0.05",
            "TTSTRACK_POLL_MAX_INTERVAL": "0.2",
            "TTSTRACK_POLL_RATE": "0",
        ]
        environment.merge(extra) { _, new in new }
        let daemon = try DaemonProcess(environment: environment, directory: directory)
        try await daemon.waitUntilReady()
        return DaemonUnderTest(simulator: simulator, daemon: daemon)
    }

    /// One call on a fresh connection, off the cooperative pool.
    func call(_ method: String, _ parameters: [String: JSONValue] = [:]) async throws -> [String: JSONValue] {
        let path = daemon.socketPath
        return try await blocking {
            let client = try VarlinkClient(path: path)
            return try client.call(method, parameters)
        }
    }

    /// The error a call is answered with, or nil when it succeeds.
    func error(_ method: String, _ parameters: [String: JSONValue] = [:]) async throws -> VarlinkError? {
        do {
            _ = try await call(method, parameters)
            return nil
        } catch VarlinkClient.ClientError.remote(let error) {
            return error
        }
    }

    func stop() async throws -> Int32 {
        let status = await daemon.stop()
        try await simulator.shutdown()
        return status
    }
}

extension JSONValue {
    var int: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }
    var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }
    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}

func ids(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
