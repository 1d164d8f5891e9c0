import TTSTrackClient
import TTSTrackWire

/// The CLI's connection to `ttstrackd`: a ``TrackerClient`` whose failures become
/// ``CLIError``s with the documented exit statuses and one line of text each.
struct TrackerConnection {
    let client: TrackerClient
    var path: String { client.socketPath }

    /// Connects, or fails with `CLIError.unavailable` naming the path tried.
    static func connect(path: String) async throws(CLIError) -> TrackerConnection {
        do {
            return TrackerConnection(client: try await TrackerClient.connect(to: path))
        } catch {
            throw translate(error, path: path)
        }
    }

    /// Runs one call of the client, with its failure translated.
    func run<Result>(
        _ body: (TrackerClient) async throws(TrackerClientError) -> Result
    ) async throws(CLIError) -> Result {
        do {
            return try await body(client)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    static func translate(_ error: TrackerClientError, path: String) -> CLIError {
        switch error {
        case .unreachable, .disconnected:
            .unavailable(error.description)
        case .invalidReply(let text):
            .failed("unexpected reply from \(path): \(text)")
        default:
            .failed(describe(error))
        }
    }

    /// `io.ttstrack.Tracker.InvalidTaskId: task_id "a/b": contains '/'; …`: the error's name,
    /// then its parameters in words for the errors of the interface, as `key=value` otherwise.
    static func describe(_ error: TrackerClientError) -> String {
        let detail: String
        switch error {
        case .invalidTaskID(let id, let reason):
            detail = "task_id \(quoted(id)): \(reason)"
        case .tooManyIDs(let max):
            detail = "at most \(max) ids in one call"
        case .unknownKind(let kind):
            detail = "kind \(quoted(kind)); known kinds: \(TaskKind.all.joined(separator: ", "))"
        case .storeUnavailable(let reason):
            detail = "reason=\(quoted(reason))"
        case .watchOverflow(let max):
            detail = "max=\(max)"
        case .refused(_, let parameters):
            detail = parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }.joined(separator: " ")
        case .unreachable, .disconnected, .invalidReply:
            return error.description
        }
        let name = error.errorName ?? ""
        return detail.isEmpty ? name : "\(name): \(detail)"
    }

    /// A value in double quotes with JSON escapes, so control characters stay visible.
    static func quoted(_ text: String) -> String {
        JSONValue.string(text).jsonText
    }
}
