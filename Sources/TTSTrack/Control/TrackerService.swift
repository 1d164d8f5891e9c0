public import Logging
import Synchronization
package import TTSTrackWire

/// The methods of `io.ttstrack.Tracker` and `org.varlink.service`, over the store, the change
/// hub and the scheduler. Every call is validated completely before anything is changed.
public final class TrackerService: Sendable {
    /// Limits a client cannot exceed.
    public struct Limits: Sendable {
        /// Ids in one call: 100,000, as the interface promises.
        public var maxIDs = 100_000
        /// Largest `List` page.
        public var maxListLimit = 10_000
        /// Default `List` page.
        public var defaultListLimit = 1_000
        /// Events a `Watch` may fall behind before it is cut off.
        public var watchBuffer = 10_000
        public init() {}
    }

    public static let version = TTSTrackVersion.current

    private let store: TaskStore
    private let hub: ChangeHub
    private let scheduler: Scheduler
    private let limits: Limits
    private let startedAt = ContinuousClock.now
    private let logger: Logger
    private let watchers = Atomic<Int>(0)
    /// Where `Fetch` puts results: `results.dir`, else a directory beside the store.
    private let resultsDirectory: String

    public init(
        store: TaskStore, hub: ChangeHub, scheduler: Scheduler, limits: Limits = Limits(),
        resultsDirectory: String = "", logger: Logger
    ) {
        self.resultsDirectory = resultsDirectory
        self.store = store
        self.hub = hub
        self.scheduler = scheduler
        self.limits = limits
        self.logger = logger
    }

    /// Answers one call through `responder`. Errors thrown are transport errors only, or
    /// `VarlinkServer.EndConnection` when a `Watch` is over.
    package func handle(_ call: VarlinkCall, responder: VarlinkResponder) async throws {
        let parameters = Parameters(call.parameters)
        do {
            switch call.method {
            case "org.varlink.service.GetInfo":
                try await responder.reply([
                    "vendor": "ttstrack", "product": "ttstrackd", "version": .string(Self.version),
                    "url": "https://github.com/ttstrack/ttstrack",
                    "interfaces": ["org.varlink.service", "io.ttstrack.Tracker"],
                ])
            case "org.varlink.service.GetInterfaceDescription":
                let name = try parameters.string("interface")
                guard let text = InterfaceDescriptions.all[name] else { throw VarlinkError.interfaceNotFound(name) }
                try await responder.reply(["description": .string(text)])
            case "io.ttstrack.Tracker.Add": try await add(parameters, responder)
            case "io.ttstrack.Tracker.Get": try await get(parameters, responder)
            case "io.ttstrack.Tracker.List": try await list(parameters, responder)
            case "io.ttstrack.Tracker.Wait": try await wait(parameters, responder)
            case "io.ttstrack.Tracker.Watch": try await watch(parameters, more: call.more, responder)
            case "io.ttstrack.Tracker.Remove": try await remove(parameters, responder)
            case "io.ttstrack.Tracker.Fetch": try await fetch(parameters, responder)
            case "io.ttstrack.Tracker.Stats": try await stats(responder)
            default:
                if InterfaceDescriptions.all[call.interface] == nil {
                    throw VarlinkError.interfaceNotFound(call.interface)
                }
                throw VarlinkError.methodNotFound(call.name)
            }
        } catch let error as VarlinkError {
            try await responder.fail(error)
        } catch let error as TrackerError {
            try await responder.fail(error.varlinkError)
        } catch let error as SQLiteError {
            logger.error("Store error in a call", metadata: ["ttstrack.error": "\(error)"])
            try await responder.fail(TrackerError.storeUnavailable(reason: error.description).varlinkError)
        }
    }

    // MARK: Validation

    private func validIDs(_ parameters: Parameters, _ name: String = "ids") throws -> [String] {
        let ids = try parameters.stringArray(name)
        try check(ids)
        return ids
    }

    /// The `tag` parameter, if given: a wrong type or a string outside the tag rule is an
    /// `InvalidParameter` naming it, before anything of the call is done.
    private func validTag(_ parameters: Parameters) throws(VarlinkError) -> String? {
        guard let tag = try parameters.optionalString("tag") else { return nil }
        guard TaskTag.problem(with: tag) == nil else { throw .invalidParameter("tag") }
        return tag
    }

    private func check(_ ids: [String]) throws(TrackerError) {
        guard ids.count <= limits.maxIDs else { throw .tooManyIDs(max: limits.maxIDs) }
        for id in ids {
            if let problem = TaskID.problem(with: id) { throw .invalidTaskID(id, reason: problem) }
        }
    }

    // MARK: Methods

    private func add(_ parameters: Parameters, _ responder: VarlinkResponder) async throws {
        let ids = try validIDs(parameters)
        let kindName = try parameters.optionalString("kind") ?? TaskKind.tts.rawValue
        guard let kind = TaskKind(rawValue: kindName) else { throw TrackerError.unknownKind(kindName) }
        let tag = try validTag(parameters)
        let counts = try await scheduler.add(AddRequest(ids: ids, kind: kind.rawValue, tag: tag))
        try await responder.reply(["added": .int(Int64(counts.added)), "existing": .int(Int64(counts.existing))])
    }

    private func get(_ parameters: Parameters, _ responder: VarlinkResponder) async throws {
        let ids = try validIDs(parameters)
        let (tasks, seq) = try await store.getWithSeq(ids)
        try await responder.reply(["tasks": .array(tasks.map(\.json)), "seq": .int(seq)])
    }

    private func list(_ parameters: Parameters, _ responder: VarlinkResponder) async throws {
        var filter: TaskStore.StatusFilter?
        if let status = try parameters.optionalString("status") {
            switch status {
            case "terminal": filter = .terminal
            case "active": filter = .active
            case "": throw VarlinkError.invalidParameter("status")
            default: filter = .exactly(status)
            }
        }
        let kind = try parameters.optionalString("kind")
        if let kind, TaskKind(rawValue: kind) == nil { throw TrackerError.unknownKind(kind) }
        let limit = try parameters.optionalInt("limit") ?? Int64(limits.defaultListLimit)
        guard limit >= 1 else { throw VarlinkError.invalidParameter("limit") }
        let pageSize = Int(min(limit, Int64(limits.maxListLimit)))
        let after = try parameters.optionalString("after")
        let tag = try validTag(parameters)
        let (tasks, seq) = try await store.listWithSeq(
            status: filter, kind: kind, tag: tag, limit: pageSize + 1, after: after)
        let page = Array(tasks.prefix(pageSize))
        let next: JSONValue = tasks.count > pageSize ? .string(page.last!.taskID) : .null
        try await responder.reply(["tasks": .array(page.map(\.json)), "next": next, "seq": .int(seq)])
    }

    /// Waits for the ids given and for the tasks that carry the tag when the call arrives (a
    /// tag no task carries adds none), together at most ``Limits/maxIDs``; the reply lists the
    /// ids in the order given, then the other tagged tasks by task id.
    private func wait(_ parameters: Parameters, _ responder: VarlinkResponder) async throws {
        let givenIDs = try parameters.optionalStringArray("ids")
        if let givenIDs { try check(givenIDs) }
        let tag = try validTag(parameters)
        guard givenIDs != nil || tag != nil else { throw VarlinkError.invalidParameter("ids") }
        let timeout = try parameters.optionalDouble("timeout")
        if let timeout, !(timeout >= 0) || !timeout.isFinite { throw VarlinkError.invalidParameter("timeout") }
        var ids = givenIDs ?? []
        // Subscribe before reading, so no change between the read and the wait is missed; with a
        // tag, before the tagged tasks are read, so none of theirs is missed either.
        let buffer = tag == nil ? max(1024, ids.count * 4) : limits.maxIDs * 4
        let subscription = hub.subscribe(EventFilter(ids: Set(ids), tag: tag), limit: buffer)
        defer { subscription.cancel() }
        var states: [String: TrackedTask] = [:]
        for task in try await store.get(ids) { states[task.taskID] = task }
        if let tag {
            let tagged = try await store.list(status: nil, kind: nil, tag: tag, limit: limits.maxIDs + 1, after: nil)
            for task in tagged where states[task.taskID] == nil {
                states[task.taskID] = task
                ids.append(task.taskID)
            }
            try check(ids)
        }
        let unsettled = Set(states.values.filter { !$0.isSettled }.map(\.taskID))
        if !unsettled.isEmpty {
            // Whichever comes first: every task settled, the timeout, or the connection gone (a
            // waiter killed meanwhile would otherwise hold its connection until its tasks end).
            let gone = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    var remaining = unsettled
                    for await event in subscription.events {
                        if event.task.isSettled { remaining.remove(event.task.taskID) }
                        if remaining.isEmpty { break }
                    }
                    return false
                }
                if let timeout {
                    group.addTask {
                        // Capped at ten years: any longer is forever, and the conversion stays in range.
                        try? await Task.sleep(for: .milliseconds(Int64(min(timeout, 315_360_000) * 1000)))
                        return false
                    }
                }
                group.addTask {
                    await responder.closed.wait()
                    return !Task.isCancelled
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if gone { return }  // nobody to answer
        }
        let tasks = try await store.get(ids)
        let done = tasks.allSatisfy(\.isSettled)
        try await responder.reply(["done": .bool(done), "tasks": .array(tasks.map(\.json))])
    }

    /// Streams the events of the ids given and of the tasks that carry the tag (either one lets
    /// an event through, as `Wait` waits for both); of every task when neither is given.
    private func watch(_ parameters: Parameters, more: Bool, _ responder: VarlinkResponder) async throws {
        let ids = try parameters.optionalStringArray("ids")
        if let ids { try check(ids) }
        let tag = try validTag(parameters)
        let since = try parameters.optionalInt("since")
        if let since, since < 0 { throw VarlinkError.invalidParameter("since") }
        guard more else { throw VarlinkError.expectedMore }
        let filter = EventFilter(ids: ids.map(Set.init), tag: tag)
        let subscription = hub.subscribe(filter, limit: limits.watchBuffer)
        watchers.add(1, ordering: .relaxed)
        defer {
            watchers.subtract(1, ordering: .relaxed)
            subscription.cancel()
        }
        let buffer = limits.watchBuffer
        let store = self.store
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var last: Int64 = 0
                if let since {
                    last = since
                    while true {
                        let page = try await store.events(after: last, limit: 1000)
                        for event in page where filter.matches(event) {
                            try await responder.reply(["event": event.json], continues: true)
                        }
                        guard let newest = page.last else { break }
                        last = newest.seq
                    }
                }
                for await event in subscription.events where event.seq > last {
                    try await responder.reply(["event": event.json], continues: true)
                }
                if subscription.overflowed {
                    try await responder.fail(TrackerError.watchOverflow(max: buffer).varlinkError)
                    throw VarlinkServer.EndConnection()
                }
            }
            group.addTask {
                await responder.hangUp.wait()
                throw VarlinkServer.EndConnection()
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func remove(_ parameters: Parameters, _ responder: VarlinkResponder) async throws {
        let ids = try validIDs(parameters)
        let events = try await store.remove(ids, now: .now())
        try await responder.reply(["removed": .int(Int64(events.count))])
    }

    private func stats(_ responder: VarlinkResponder) async throws {
        let counts = try await store.countsByStatus()
        let resultCounts = try await store.scanner.countsByResultState()
        let deliveryCounts = try await store.scanner.countsByDelivery()
        let snapshot = await scheduler.snapshot()
        let uptime = ContinuousClock.now - startedAt
        try await responder.reply([
            "version": .string(Self.version),
            "uptime": .double(uptime.seconds),
            "tasks": .object(counts.mapValues { .int(Int64($0)) }),
            "checks_total": .int(Int64(snapshot.checksTotal)),
            "checks_failed": .int(Int64(snapshot.checksFailed)),
            "api_state": .string(snapshot.health.state.rawValue),
            "api_error": snapshot.health.error.map(JSONValue.string) ?? .null,
            "watchers": .int(Int64(watchers.load(ordering: .relaxed))),
            "store_error": snapshot.storeError.map(JSONValue.string) ?? .null,
            "results": .object(resultCounts.mapValues { .int(Int64($0)) }),
            "deliveries": .object(deliveryCounts.mapValues { .int(Int64($0)) }),
            "schedule": .object(scheduler.learnedDurations().mapValues(Self.json)),
        ])
    }

    /// One kind's learned durations as the interface's `LearnedDurations`.
    private static func json(_ learned: LearnedDurations) -> JSONValue {
        [
            "finishes": .int(Int64(learned.finishes)), "median": learned.median.map(JSONValue.double) ?? .null,
            "p90": learned.p90.map(JSONValue.double) ?? .null,
        ]
    }

    private func fetch(_ parameters: Parameters, _ responder: VarlinkResponder) async throws {
        let ids = try validIDs(parameters)
        guard !resultsDirectory.isEmpty else {
            throw TrackerError.storeUnavailable(reason: "no results directory is configured")
        }
        let requested = try await scheduler.requestResults(ids, into: resultsDirectory)
        try await responder.reply(["requested": .int(Int64(requested.count))])
    }
}
