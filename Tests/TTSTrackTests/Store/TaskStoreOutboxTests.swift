import Foundation
import Synchronization
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// The delivery outbox: written in the transaction that ends a task (or settles its result),
/// kept across reopening, removed only once delivered.
@Suite struct TaskStoreOutboxTests {
    static let now = Timestamp(milliseconds: 1_800_000_000_000)

    /// Adds `id`, due now, and returns it as the scheduler would read it.
    static func due(_ store: TaskStore, _ id: String) async throws -> DueTask {
        try await store.add([id], dueAt: now, now: now)
        return try #require(try await store.dueTasks(now: now, limit: 100, excluding: []).first { $0.taskID == id })
    }

    static func finished(_ task: DueTask, resultDirectory: String? = nil, terminal: Bool = true) -> TaskUpdate {
        TaskUpdate(
            rowID: task.rowID, taskID: task.taskID, status: terminal ? .success : .pending, terminal: terminal,
            runID: terminal ? 5 : nil, reason: nil, message: nil, checks: 1, failures: 0, notFoundStreak: 0,
            checkedAt: now, nextCheckAt: terminal ? nil : now.adding(seconds: 1), changed: terminal,
            resultDirectory: resultDirectory)
    }

    static func allDue(_ store: TaskStore, at time: Timestamp = now) async throws -> [DueDelivery] {
        var due: [DueDelivery] = []
        for target in DeliveryTarget.allCases {
            due += try await store.dueDeliveries(target: target, now: time, limit: 100, excluding: [])
        }
        return due
    }

    @Test func aTaskThatEndsGetsOneDeliveryPerTargetInTheSameCommit() async throws {
        let (store, _) = try makeStore()
        await store.configureDeliveries(targets: [.hooks, .webhooks], onEnqueue: nil)
        let pending = try await Self.due(store, "still")
        try await store.apply([Self.finished(pending, terminal: false)], now: Self.now)
        #expect(try await Self.allDue(store).isEmpty, "a task that did not end is not delivered")
        let task = try await Self.due(store, "ended")
        try await store.apply([Self.finished(task)], now: Self.now)
        let due = try await Self.allDue(store)
        #expect(due.map(\.target) == [.hooks, .webhooks])
        #expect(due.allSatisfy { $0.taskID == "ended" && $0.attempts == 0 && $0.messageID.hasPrefix("msg_") })
        #expect(Set(due.map(\.messageID)).count == 2)
        let hook = try JSONParser.parse(due[0].body)
        #expect(hook["task_id"] == "ended" && hook["status"] == "SUCCESS" && hook["run_id"] == .int(5))
        let webhook = try JSONParser.parse(due[1].body)
        #expect(webhook["type"] == "task.terminal" && webhook["data"] == hook)
        #expect(webhook["timestamp"] == .string(Self.now.rfc3339))
        #expect(
            try await store.reader.countsByDelivery() == [
                "hooks.pending": 1, "hooks.failed": 0, "webhooks.pending": 1, "webhooks.failed": 0,
            ])
    }

    @Test func withoutTargetsNothingIsWritten() async throws {
        let (store, _) = try makeStore()
        let task = try await Self.due(store, "quiet")
        try await store.apply([Self.finished(task)], now: Self.now)
        #expect(try await Self.allDue(store).isEmpty)
        #expect(try await store.reader.countsByDelivery().values.allSatisfy { $0 == 0 })
    }

    @Test func aFetchedResultHoldsTheDeliveryUntilItSettles() async throws {
        let (store, _) = try makeStore()
        let woken = Woken()
        await store.configureDeliveries(targets: [.hooks], onEnqueue: { woken.count() })
        let task = try await Self.due(store, "fetched")
        try await store.apply([Self.finished(task, resultDirectory: "/results")], now: Self.now)
        #expect(try await Self.allDue(store).isEmpty, "held while the result is pending")
        #expect(try await store.reader.countsByDelivery()["hooks.pending"] == 1, "held counts as pending")
        #expect(woken.value == 0)
        let result = try #require(try await store.dueResults(now: Self.now, limit: 10, excluding: []).first)
        let later = Self.now.adding(seconds: 3)
        try await store.applyResults(
            [
                ResultUpdate(
                    rowID: result.rowID, taskID: "fetched", state: .done, path: "/results/fetched.flac", bytes: 10,
                    attempts: 0)
            ], now: later)
        let due = try await Self.allDue(store, at: later)
        #expect(due.count == 1 && due[0].endedAt == later)
        #expect(try JSONParser.parse(due[0].body)["result_path"] == "/results/fetched.flac")
        #expect(woken.value == 1, "the engine is told once the release committed")
    }

    @Test func removingATaskWhoseResultIsPendingReleasesItsDelivery() async throws {
        let (store, _) = try makeStore()
        await store.configureDeliveries(targets: [.webhooks], onEnqueue: nil)
        let task = try await Self.due(store, "dropped")
        try await store.apply([Self.finished(task, resultDirectory: "/results")], now: Self.now)
        try await store.remove(["dropped"], now: Self.now)
        let due = try await Self.allDue(store)
        #expect(due.map(\.taskID) == ["dropped"])
        #expect(try JSONParser.parse(due[0].body)["data"]?["result_state"] == "pending", "as it was when removed")
    }

    @Test func outcomesRemoveMoveOrFailRowsAndRowsSurviveReopening() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        do {
            let (store, _) = try makeStore(directory)
            await store.configureDeliveries(targets: [.hooks], onEnqueue: nil)
            for id in ["a", "b", "c"] {
                try await store.apply([Self.finished(try await Self.due(store, id))], now: Self.now)
            }
            let due = try await Self.allDue(store)
            #expect(due.map(\.taskID) == ["a", "b", "c"])
            let retryAt = Self.now.adding(seconds: 1)
            try await store.applyDeliveries([
                DeliveryUpdate(rowID: due[0].rowID, taskID: "a", attempts: 1, change: .delivered),
                DeliveryUpdate(rowID: due[1].rowID, taskID: "b", attempts: 1, change: .retry(at: retryAt, error: "x")),
                DeliveryUpdate(rowID: due[2].rowID, taskID: "c", attempts: 8, change: .failed(error: "y")),
            ])
            #expect(try await Self.allDue(store).isEmpty, "b is not due before its retry")
            #expect(try await store.nextDeliveryDueAt(targets: [.hooks]) == retryAt)
        }
        let (reopened, _) = try await reopenStore(directory)
        let due = try await reopened.dueDeliveries(
            target: .hooks, now: Self.now.adding(seconds: 1), limit: 10, excluding: [])
        #expect(due.map(\.taskID) == ["b"] && due.first?.attempts == 1)
        #expect(try await reopened.reader.countsByDelivery()["hooks.failed"] == 1)
        #expect(try await reopened.reader.countsByDelivery()["hooks.pending"] == 1)
        #expect(try await reopened.pruneFailedDeliveries(before: Self.now.adding(seconds: 1)) == 1)
        #expect(try await reopened.reader.countsByDelivery()["hooks.failed"] == 0)
    }
}

/// Counts calls of the store's wake-up callback.
private final class Woken: Sendable {
    private let calls = Mutex(0)
    var value: Int { calls.withLock { $0 } }
    func count() { calls.withLock { $0 += 1 } }
}
