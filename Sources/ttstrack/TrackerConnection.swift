import TTSTrack

/// One connection to `ttstrackd`'s `io.ttstrack.Tracker` interface: the library's blocking
/// ``VarlinkClient`` with its errors turned into ``CLIError``s and their exit statuses.
final class TrackerConnection {
    private let client: VarlinkClient
    let path: String

    init(path: String) throws(CLIError) {
        self.path = path
        do {
            client = try VarlinkClient(path: path)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// Calls `io.ttstrack.Tracker.<method>` and returns the reply's parameters.
    func call(_ method: String, _ parameters: [String: JSONValue] = [:]) throws(CLIError) -> ReplyFields {
        do {
            return ReplyFields(try client.call("io.ttstrack.Tracker.\(method)", parameters))
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// Sends a call with `more`; read its replies with ``nextReply()``.
    func start(_ method: String, _ parameters: [String: JSONValue] = [:]) throws(CLIError) {
        do {
            try client.send("io.ttstrack.Tracker.\(method)", parameters, more: true)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// The next reply of a call started with ``start(_:_:)``; an error reply is thrown.
    func nextReply() throws(CLIError) -> (parameters: ReplyFields, continues: Bool) {
        let reply: VarlinkClient.Reply
        do {
            reply = try client.receive()
        } catch {
            throw Self.translate(error, path: path)
        }
        if let error = reply.error { throw .failed(Self.describe(error)) }
        return (ReplyFields(reply.parameters), reply.continues)
    }

    static func translate(_ error: VarlinkClient.ClientError, path: String) -> CLIError {
        switch error {
        case .unreachable:
            .unavailable(error.description)
        case .closed:
            .unavailable("ttstrackd at \(path) closed the connection")
        case .protocolError(let text):
            .failed("unexpected reply from \(path): \(text)")
        case .remote(let remote):
            .failed(describe(remote))
        }
    }

    /// `io.ttstrack.Tracker.InvalidTaskId: task_id "a/b": contains '/'; …`: the error's name,
    /// then its parameters in words for the errors of the interface, as `key=value` otherwise.
    static func describe(_ error: VarlinkError) -> String {
        let fields = ReplyFields(error.parameters)
        let detail: String
        switch error.name {
        case "io.ttstrack.Tracker.InvalidTaskId":
            detail = "task_id \(quoted(fields.string("task_id") ?? "")): \(fields.string("reason") ?? "invalid")"
        case "io.ttstrack.Tracker.TooManyIds":
            detail = "at most \(fields.int("max").map(String.init) ?? "?") ids in one call"
        case "io.ttstrack.Tracker.UnknownKind":
            detail = "kind \(quoted(fields.string("kind") ?? "")); known kinds: \(TaskKind.all.joined(separator: ", "))"
        default:
            detail = error.parameters.keys.sorted()
                .map { "\($0)=\(error.parameters[$0]!.jsonText)" }
                .joined(separator: " ")
        }
        return detail.isEmpty ? error.name : "\(error.name): \(detail)"
    }

    /// A value in double quotes with JSON escapes, so control characters stay visible.
    static func quoted(_ text: String) -> String {
        JSONValue.string(text).jsonText
    }
}
