import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// The tag column: kept from the first Add, listed by, carried by every event, and added to
/// stores of the schema before it without touching their tasks.
@Suite struct TaskStoreTagTests {
    @Test func theTagOfTheFirstAddIsKept() async throws {
        let (store, _) = try makeStore()
        let now = Timestamp.now()
        #expect(try await store.add(["a", "b"], kind: "tts", tag: "one", now: now, firstChecks: [now, now]) == (2, 0))
        #expect(try await store.add(["b", "c"], kind: "tts", tag: "two", now: now, firstChecks: [now, now]) == (1, 1))
        #expect(try await store.add(["c", "d"], dueAt: now) == (1, 1))
        let tasks = try await store.get(["a", "b", "c", "d", "unknown"])
        #expect(tasks.map(\.tag) == ["one", "one", "two", nil, nil])
    }

    @Test func listByTagPagesInIDOrderOnTheTagIndex() async throws {
        let (store, path) = try makeStore()
        let now = Timestamp.now()
        let batch = ["s-3", "s-1", "s-2", "s-0"]
        _ = try await store.add(batch, kind: "tts", tag: "text", now: now, firstChecks: batch.map { _ in now })
        _ = try await store.add(["s-9", "r-1"], kind: "dub", tag: "other", now: now, firstChecks: [now, now])
        _ = try await store.add(["s-5"], dueAt: now)
        let all = try await store.list(status: nil, kind: nil, tag: "text", limit: 10, after: nil)
        #expect(all.map(\.taskID) == ["s-0", "s-1", "s-2", "s-3"])
        let page = try await store.list(status: nil, kind: nil, tag: "text", limit: 2, after: "s-1")
        #expect(page.map(\.taskID) == ["s-2", "s-3"])
        let dubs = try await store.list(status: .active, kind: "dub", tag: "other", limit: 10, after: nil)
        #expect(dubs.map(\.taskID) == ["r-1", "s-9"])
        #expect(try await store.list(status: nil, kind: "tts", tag: "other", limit: 10, after: nil).isEmpty)
        #expect(try await store.list(status: nil, kind: nil, tag: nil, limit: 10, after: nil).count == 7)

        let db = try Database(path: path, readOnly: true)
        let plan = try db.prepare(
            "EXPLAIN QUERY PLAN SELECT task_id FROM tasks WHERE tag = 'text' AND task_id > 's-1' "
                + "AND (NULL IS NULL OR kind = NULL) ORDER BY task_id LIMIT 10")
        var details: [String] = []
        while try plan.step() { details.append(plan.string(3)) }
        #expect(details.contains { $0.contains("tasks_tag") }, "\(details)")
        #expect(!details.contains { $0.contains("TEMP B-TREE") }, "\(details)")
    }

    @Test func everyEventCarriesTheTagTheRemovalIncluded() async throws {
        let (store, _) = try makeStore()
        let now = Timestamp.now()
        _ = try await store.add(["t-1"], kind: "tts", tag: "batch", now: now, firstChecks: [now])
        let due = try #require(try await store.dueTasks(now: now, limit: 10, excluding: []).first)
        let update = TaskUpdate(
            rowID: due.rowID, taskID: due.taskID, status: .success, terminal: true, runID: 3, reason: nil,
            message: nil, checks: 1, failures: 0, notFoundStreak: 0, checkedAt: now, nextCheckAt: nil, changed: true)
        let changed = try await store.apply([update], now: now)
        let removed = try await store.remove(["t-1"], now: now)
        #expect(changed.map(\.task.tag) == ["batch"])
        #expect(removed.map(\.task.status) == [.untracked] && removed.map(\.task.tag) == ["batch"])
        let replayed = try await store.events(after: 0, limit: 10)
        #expect(replayed.map(\.task.status) == [.success, .untracked])
        #expect(replayed.map(\.task.tag) == ["batch", "batch"])
    }

    @Test func aStoreOfTheSchemaBeforeTagsIsMigratedKeepingEveryTask() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let path = "\(directory)/tasks.sqlite3"
        let migrations = TaskStore.migrationsForTesting
        let tagStep = try #require(migrations.firstIndex { $0.contains("ADD COLUMN tag") })
        do {
            let db = try Database(path: path)
            for step in 0..<tagStep { try db.execute(migrations[step]) }
            try db.execute(
                """
                PRAGMA application_id = 1414812500; PRAGMA user_version = \(tagStep);
                INSERT INTO tasks (task_id, kind, status, terminal, run_id, checks, added_at, updated_at)
                VALUES ('old-done', 'tts', 'SUCCESS', 1, 42, 3, 1000, 2000),
                       ('old-pending', 'dub', 'PENDING', 0, NULL, 1, 1000, 1000);
                INSERT INTO events (at, task_id, kind, status, terminal, run_id, checks)
                VALUES (2000, 'old-done', 'tts', 'SUCCESS', 1, 42, 3);
                """)
        }
        let store = try TaskStore(path: path)
        let tasks = try await store.get(["old-done", "old-pending"])
        #expect(tasks.map(\.status) == [.success, .pending] && tasks[0].runID == 42 && tasks[1].kind == "dub")
        #expect(tasks.allSatisfy { $0.tag == nil }, "tasks from before tags have none")
        let events = try await store.events(after: 0, limit: 10)
        #expect(events.map(\.task.taskID) == ["old-done"] && events[0].task.tag == nil)
        let now = Timestamp.now()
        #expect(
            try await store.add(["old-pending", "new"], kind: "tts", tag: "later", now: now, firstChecks: [now, now])
                == (1, 1))
        #expect(try await store.get(["old-pending", "new"]).map(\.tag) == [nil, "later"])
        let db = try Database(path: path, readOnly: true)
        #expect(try db.scalarInt("PRAGMA user_version") == Int64(migrations.count))
    }
}
