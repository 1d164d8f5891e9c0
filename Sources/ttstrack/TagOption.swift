import ArgumentParser
import TTSTrackWire

/// The `--tag` check every command shares: a tag outside the rule is bad usage (exit 64) found
/// before connecting, with the rule in the message, rather than a bare refusal from the daemon.
enum TagOption {
    static func validate(_ tag: String?) throws {
        guard let tag, let problem = TaskTag.problem(with: tag) else { return }
        throw ValidationError("invalid --tag \(TrackerConnection.quoted(tag)): \(problem)")
    }
}
