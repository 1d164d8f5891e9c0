import Logging
import Synchronization
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// The delivery engine over a real store, with a stand-in deliverer that records what it was
/// handed: each delivery made once, never more at once than the pool allows.
@Suite(.timeLimit(.minutes(1))) struct DeliveryEngineTests {
    /// Counts attempts and how many overlap; fails each task's first `failFirst` attempts.
    final class Recorder: Deliverer {
        struct State {
            var inFlight = 0
            var maxInFlight = 0
            var attempts: [String: Int] = [:]
            var delivered: [String: Int] = [:]
            var messageIDs: [String: Set<String>] = [:]
        }

        let state = Mutex(State())
        let failFirst: Int

        init(failFirst: Int = 0) {
            self.failFirst = failFirst
        }

        func deliver(_ delivery: DueDelivery) async -> DeliveryOutcome {
            let attempt = state.withLock { state in
                state.inFlight += 1
                state.maxInFlight = max(state.maxInFlight, state.inFlight)
                state.attempts[delivery.taskID, default: 0] += 1
                state.messageIDs[delivery.taskID, default: []].insert(delivery.messageID)
                return state.attempts[delivery.taskID]!
            }
            // A little work, so attempts overlap.
            try? await Task.sleep(for: .milliseconds(2))
            return state.withLock { state in
                state.inFlight -= 1
                if attempt <= failFirst { return .failed(reason: "not yet", output: nil) }
                state.delivered[delivery.taskID, default: 0] += 1
                return .delivered(output: nil)
            }
        }

        func shutdown() async {}
    }

    /// A store whose `count` tasks just ended, with the engine attached first.
    static func endTasks(_ count: Int, store: TaskStore) async throws -> [String] {
        let now = Timestamp.now()
        let names = (0..<count).map { "ended-\($0)" }
        try await store.add(names, dueAt: now, now: now)
        let due = try await store.dueTasks(now: now, limit: count, excluding: [])
        try await store.apply(
            due.map {
                TaskUpdate(
                    rowID: $0.rowID, taskID: $0.taskID, status: .error, terminal: true, runID: nil, reason: "X",
                    message: nil, checks: 1, failures: 0, notFoundStreak: 0, checkedAt: now, nextCheckAt: nil,
                    changed: true)
            }, now: now)
        return names
    }

    @Test func eachDeliveryIsMadeOnceWithinThePoolsLimit() async throws {
        let (store, _) = try makeStore()
        let recorder = Recorder()
        let engine = DeliveryEngine(
            store: store,
            targets: [.init(target: .hooks, deliverer: recorder, concurrency: 3, maxAttempts: 8)],
            logger: Logger(label: "test"))
        await engine.attach()
        let running = Task { await engine.run() }
        defer { running.cancel() }
        let names = try await Self.endTasks(200, store: store)
        try await eventually("every delivery was made and written") {
            let pending = try await store.reader.countsByDelivery()["hooks.pending"]
            return pending == 0 && recorder.state.withLock { $0.delivered.count } == names.count
        }
        let state = recorder.state.withLock { $0 }
        #expect(state.delivered.values.allSatisfy { $0 == 1 }, "none twice")
        #expect(state.maxInFlight == 3, "the pool's limit, reached and never passed")
    }

    @Test func aFailedAttemptIsMadeAgainWithTheSameMessageID() async throws {
        let (store, _) = try makeStore()
        let recorder = Recorder(failFirst: 1)
        let engine = DeliveryEngine(
            store: store,
            targets: [.init(target: .webhooks, deliverer: recorder, concurrency: 2, maxAttempts: 3)],
            logger: Logger(label: "test"))
        await engine.attach()
        let running = Task { await engine.run() }
        defer { running.cancel() }
        let names = try await Self.endTasks(3, store: store)
        try await eventually("each was delivered on its second attempt") {
            let pending = try await store.reader.countsByDelivery()["webhooks.pending"]
            return pending == 0 && recorder.state.withLock { $0.delivered.count } == names.count
        }
        let state = recorder.state.withLock { $0 }
        #expect(state.attempts == Dictionary(uniqueKeysWithValues: names.map { ($0, 2) }))
        #expect(state.messageIDs.values.allSatisfy { $0.count == 1 })
    }
}
