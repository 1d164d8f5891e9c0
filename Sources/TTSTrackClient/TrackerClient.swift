import TTSTrackWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A connection to `ttstrackd`: hand over CAMB.AI task ids, then read back their status and
/// `run_id`, wait for them or watch them change, without speaking Varlink yourself.
///
/// Calls on one client are answered in the order they were made (one connection, as Varlink
/// has it); use several clients for calls that should not wait for each other. A watch has a
/// connection of its own.
public final class TrackerClient: Sendable {
    /// The socket this client is connected to.
    public let socketPath: String
    private let connection: VarlinkConnection

    private static let interface = "io.ttstrack.Tracker"

    private init(connection: VarlinkConnection) {
        self.connection = connection
        self.socketPath = connection.path
    }

    /// Connects to the daemon at `socketPath`, or where ``defaultSocketPath(environment:)``
    /// says. Connecting first means a missing daemon is reported before any work is done.
    public static func connect(to socketPath: String? = nil) async throws(TrackerClientError) -> TrackerClient {
        let path = socketPath ?? defaultSocketPath()
        return TrackerClient(connection: try await VarlinkConnection(path: path))
    }

    /// Where the daemon is when nothing else says: `$TTSTRACK_SOCKET`, else the path the daemon
    /// binds by default for this user. When that does not exist but the system daemon's
    /// `/run/ttstrack/io.ttstrack.Tracker` does, that one, so an ordinary user reaches a daemon
    /// run by systemd without configuring anything.
    /// - Parameter environment: the process environment when nil.
    public static func defaultSocketPath(environment: [String: String]? = nil) -> String {
        let environment = environment ?? ProcessEnvironment.current()
        if let path = environment["TTSTRACK_SOCKET"], !path.isEmpty { return path }
        let preferred = DefaultSocketPath.resolve(environment: environment)
        let system = DefaultSocketPath.system
        if preferred != system && !exists(preferred) && exists(system) { return system }
        return preferred
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Ends the connection. Also happens when the client is released.
    public func close() {
        connection.close()
    }

    private func call(
        _ method: String, _ parameters: [String: JSONValue] = [:]
    ) async throws(TrackerClientError) -> [String: JSONValue] {
        try await connection.callOnce("\(Self.interface).\(method)", parameters)
    }

    /// Starts tracking `ids`. Idempotent: an id already tracked is counted in `existing` and
    /// left as it is. When this returns, the ids are committed to the daemon's store.
    /// - Parameters:
    ///   - kind: the status endpoint to poll (`tts` when nil).
    ///   - tag: a name for the batch (1 to 64 characters of `A-Z a-z 0-9 _ - . :`), so that the
    ///     tasks can later be listed, waited for and watched together without keeping their
    ///     ids; an id already tracked keeps the tag it has. A bad tag is refused
    ///     (``TrackerClientError/refused(name:parameters:)`` with `InvalidParameter`) and nothing is added.
    public func add(
        _ ids: [String], kind: String? = nil, tag: String? = nil
    ) async throws(TrackerClientError) -> (
        added: Int, existing: Int
    ) {
        var parameters: [String: JSONValue] = ["ids": .array(ids.map(JSONValue.string))]
        if let kind { parameters["kind"] = .string(kind) }
        if let tag { parameters["tag"] = .string(tag) }
        let reply = try await call("Add", parameters)
        return (Self.count(reply["added"]), Self.count(reply["existing"]))
    }

    /// The tasks in the order asked; an id the daemon does not know comes back UNTRACKED, so
    /// many ids can be looked up in one call without failing on one.
    public func get(_ ids: [String]) async throws(TrackerClientError) -> [TrackerTask] {
        try await snapshot(of: ids).tasks
    }

    /// The tasks, as ``get(_:)``, with where the daemon's change log stood when it read them:
    /// open ``watch(ids:tag:since:)`` with that `seq` afterwards to miss no change in between.
    public func snapshot(of ids: [String]) async throws(TrackerClientError) -> TrackerSnapshot {
        let reply = try await call("Get", ["ids": .array(ids.map(JSONValue.string))])
        return TrackerSnapshot(
            tasks: reply["tasks"]?.arrayValue?.map(TrackerTask.init(json:)) ?? [], seq: reply["seq"]?.integerValue)
    }

    /// A page of tasks ordered by id. Follow ``TrackerTaskPage/next`` as `after` to read every
    /// task without the daemon holding them all at once.
    /// - Parameters:
    ///   - status: one status, or `active` / `terminal`.
    ///   - tag: only the tasks added with this tag. Filters given together must all match.
    ///   - limit: tasks per page; the daemon caps it and has a default.
    public func list(
        status: String? = nil, kind: String? = nil, tag: String? = nil, limit: Int? = nil, after: String? = nil
    ) async throws(TrackerClientError) -> TrackerTaskPage {
        var parameters: [String: JSONValue] = [:]
        if let status { parameters["status"] = .string(status) }
        if let kind { parameters["kind"] = .string(kind) }
        if let tag { parameters["tag"] = .string(tag) }
        if let limit { parameters["limit"] = .int(Int64(limit)) }
        if let after { parameters["after"] = .string(after) }
        return TrackerTaskPage(reply: try await call("List", parameters))
    }

    /// Returns once every task is terminal or untracked, or when `timeout` has passed (then
    /// `done` is false): one call instead of polling `get`.
    ///
    /// Give `ids`, a `tag` or both: the wait is for all of them, the ids and every task that
    /// carries the tag when the daemon gets the call, so a program that added a batch under one
    /// tag waits for it without keeping the ids. A tag no task carries adds nothing to wait for.
    /// The tasks come back in the order of `ids`, then the other tagged ones by id.
    public func wait(
        ids: [String]? = nil, tag: String? = nil, timeout: Duration? = nil
    ) async throws(TrackerClientError) -> TrackerWaitResult {
        var parameters: [String: JSONValue] = [:]
        if let ids { parameters["ids"] = .array(ids.map(JSONValue.string)) }
        if let tag { parameters["tag"] = .string(tag) }
        if let timeout { parameters["timeout"] = .double(timeout / .seconds(1)) }
        return TrackerWaitResult(reply: try await call("Wait", parameters))
    }

    /// Status changes as the daemon records them, of `ids` or of all tasks, until the sequence
    /// is no longer iterated. With `since`, the changes recorded after that event are replayed
    /// first, so a watcher that restarts misses nothing.
    ///
    /// With a `tag`, the changes of the tasks that carry it (also of those added with it
    /// later); with `ids` and a `tag`, the changes of both, the same tasks that
    /// ``wait(ids:tag:timeout:)`` with the same arguments waits for.
    ///
    /// The watch has its own connection, opened here: an unreachable daemon is reported now,
    /// not at the first event.
    public func watch(
        ids: [String]? = nil, tag: String? = nil, since: Int64? = nil
    ) async throws(TrackerClientError) -> TrackerEvents {
        var parameters: [String: JSONValue] = [:]
        if let ids { parameters["ids"] = .array(ids.map(JSONValue.string)) }
        if let tag { parameters["tag"] = .string(tag) }
        if let since { parameters["since"] = .int(since) }
        let connection = try await VarlinkConnection(path: socketPath)
        return TrackerEvents(
            connection: connection, replies: connection.call("\(Self.interface).Watch", parameters, more: true))
    }

    /// Stops tracking `ids` and forgets them; returns how many were tracked. Ids that were not
    /// are not an error, so removing twice is harmless.
    public func remove(_ ids: [String]) async throws(TrackerClientError) -> Int {
        let reply = try await call("Remove", ["ids": .array(ids.map(JSONValue.string))])
        return Self.count(reply["removed"])
    }

    /// Asks the daemon to fetch the results of these SUCCESS tasks now (also those that failed
    /// before); returns how many will be fetched. ``wait(ids:tag:timeout:)`` then returns once they
    /// have settled, and each task's `resultPath` says where its result lies.
    public func fetch(_ ids: [String]) async throws(TrackerClientError) -> Int {
        let reply = try await call("Fetch", ["ids": .array(ids.map(JSONValue.string))])
        return Self.count(reply["requested"])
    }

    /// Counts by status and the state of the daemon's link to the API.
    public func stats() async throws(TrackerClientError) -> TrackerStats {
        TrackerStats(reply: try await call("Stats"))
    }

    private static func count(_ value: JSONValue?) -> Int {
        Int(clamping: value?.integerValue ?? 0)
    }
}
