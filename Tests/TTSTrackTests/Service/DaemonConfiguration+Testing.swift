import TTSTrack

extension DaemonConfiguration {
    /// The configuration the daemon loads from `environment`, from no file unless `file` names
    /// one (a missing default path, so the machine's `/etc/ttstrack` never leaks into a test).
    static func loading(_ environment: [String: String], file: String? = nil) async throws -> DaemonConfiguration {
        var environment = environment
        environment["TTSTRACK_CONFIG"] = file ?? "/nonexistent/ttstrackd.yaml"
        return try await load(file: nil, environment: environment)
    }

    /// The sentence loading `environment` is refused with, or nil when it loads.
    static func refusal(_ environment: [String: String]) async -> String? {
        do {
            _ = try await loading(environment)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
