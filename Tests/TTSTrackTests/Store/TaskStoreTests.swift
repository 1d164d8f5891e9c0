import CSQLite
import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

@Suite struct TaskStoreTests {
    @Test func newStoreIsMarkedAndVersioned() async throws {
        let (store, path) = try makeStore()
        _ = store
        let db = try Database(path: path, readOnly: true)
        #expect(try db.scalarInt("PRAGMA user_version") == Int64(TaskStore.migrationsForTesting.count))
        #expect(try db.scalarInt("PRAGMA application_id") == 0x5454_5354)
        let mode = try db.prepare("PRAGMA journal_mode")
        #expect(try mode.step())
        #expect(mode.string(0) == "wal")
    }

    @Test func addIsIdempotentAndSurvivesReopening() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        do {
            let (store, _) = try makeStore(directory)
            let first = try await store.add(["a", "b", "c"], dueAt: .now())
            #expect(first == (3, 0))
            let second = try await store.add(["b", "c", "d", "d"], dueAt: .now())
            #expect(second == (1, 3))
        }
        let (reopened, _) = try await reopenStore(directory)
        let tasks = try await reopened.get(["a", "d", "zzz"])
        #expect(tasks.map(\.status) == [.pending, .pending, .untracked])
        #expect(tasks[0].addedAt != nil && tasks[0].nextCheckAt != nil)
    }

    @Test func secondOpenOfTheSameStoreIsRefused() throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let (store, _) = try makeStore(directory)
        #expect(throws: TaskStoreError.self) { _ = try makeStore(directory) }
        _ = store
    }

    @Test func foreignDatabaseIsRefusedAndUntouched() throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let path = "\(directory)/tasks.sqlite3"
        do {
            let db = try Database(path: path)
            try db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: TaskStoreError.self) { _ = try TaskStore(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func garbageFileIsRefusedAndUntouched() throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let path = "\(directory)/tasks.sqlite3"
        let garbage = Data(repeating: 0x42, count: 8192)
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect(throws: TaskStoreError.self) { _ = try TaskStore(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test func newerSchemaIsRefused() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let path = "\(directory)/tasks.sqlite3"
        do {
            let db = try Database(path: path)
            try db.execute("CREATE TABLE tasks (x); PRAGMA application_id = 1414812500; PRAGMA user_version = 99")
        }
        let error = #expect(throws: TaskStoreError.self) { _ = try TaskStore(path: path) }
        #expect(error?.description.contains("newer") == true, "\(String(describing: error))")
    }

    @Test func aStoreOfTheFirstSchemaIsMigratedKeepingEveryTask() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let path = "\(directory)/tasks.sqlite3"
        do {
            // What the first release wrote: the first migration only, version 1.
            let db = try Database(path: path)
            try db.execute(TaskStore.migrationsForTesting[0])
            try db.execute(
                """
                PRAGMA application_id = 1414812500; PRAGMA user_version = 1;
                INSERT INTO tasks (task_id, kind, status, terminal, run_id, checks, added_at, updated_at)
                VALUES ('old-done', 'tts', 'SUCCESS', 1, 42, 3, 1000, 2000),
                       ('old-pending', 'dub', 'PENDING', 0, NULL, 1, 1000, 1000);
                INSERT INTO events (at, task_id, kind, status, terminal, run_id, checks) VALUES (2000, 'old-done', 'tts', 'SUCCESS', 1, 42, 3);
                """)
        }
        let store = try TaskStore(path: path)
        let tasks = try await store.get(["old-done", "old-pending"])
        #expect(tasks.map(\.status) == [.success, .pending] && tasks[0].runID == 42 && tasks[0].checks == 3)
        #expect(tasks.allSatisfy { $0.resultState == nil && $0.resultPath == nil }, "no result asked for")
        #expect(try await store.events(after: 0, limit: 10).map(\.task.taskID) == ["old-done"])
        let db = try Database(path: path, readOnly: true)
        #expect(try db.scalarInt("PRAGMA user_version") == Int64(TaskStore.migrationsForTesting.count))
    }

    @Test func dueTasksComeOldestFirstAndSkipClaimedOnes() async throws {
        let (store, _) = try makeStore()
        let base = Timestamp(milliseconds: 1_000_000)
        try await store.add(["late"], dueAt: base.adding(seconds: 30))
        try await store.add(["second"], dueAt: base.adding(seconds: 2))
        try await store.add(["first"], dueAt: base.adding(seconds: 1))
        try await store.add(["future"], dueAt: base.adding(seconds: 1000))
        let now = base.adding(seconds: 60)
        #expect(
            try await store.dueTasks(now: now, limit: 10, excluding: []).map(\.taskID) == ["first", "second", "late"])
        #expect(try await store.dueTasks(now: now, limit: 2, excluding: ["first"]).map(\.taskID) == ["second", "late"])
        #expect(try await store.dueTasks(now: base, limit: 10, excluding: []).isEmpty)
    }

    @Test func dueTasksAfterACursorContinueInDueOrder() async throws {
        let (store, _) = try makeStore()
        let base = Timestamp(milliseconds: 1_000_000)
        // Two at the same instant: ties go by row, so a cursor never skips or repeats one.
        try await store.add(["tie-a", "tie-b"], dueAt: base.adding(seconds: 1))
        try await store.add(["later"], dueAt: base.adding(seconds: 2))
        let now = base.adding(seconds: 60)
        let first = try await store.dueTasks(now: now, limit: 1, excluding: [])
        #expect(first.map(\.taskID) == ["tie-a"])
        let rest = try await store.dueTasks(now: now, limit: 10, after: first.last?.cursor, excluding: [])
        #expect(rest.map(\.taskID) == ["tie-b", "later"])
        let end = try await store.dueTasks(now: now, limit: 10, after: rest.last?.cursor, excluding: [])
        #expect(end.isEmpty)
    }

    @Test func dueQueryUsesThePartialIndex() throws {
        let (store, path) = try makeStore()
        _ = store
        let db = try Database(path: path, readOnly: true)
        let plan = try db.prepare(
            "EXPLAIN QUERY PLAN SELECT id FROM tasks WHERE terminal = 0 AND next_check_at <= 5 ORDER BY next_check_at, id LIMIT 10"
        )
        var details: [String] = []
        while try plan.step() { details.append(plan.string(3)) }
        #expect(details.contains { $0.contains("USING INDEX tasks_due") }, "\(details)")
        #expect(!details.contains { $0.contains("SCAN tasks") && !$0.contains("INDEX") })
        #expect(!details.contains { $0.contains("TEMP B-TREE") })
        let afterCursor = try db.prepare(
            "EXPLAIN QUERY PLAN SELECT id FROM tasks WHERE terminal = 0 AND next_check_at <= 5 "
                + "AND (next_check_at, id) > (1, 7) ORDER BY next_check_at, id LIMIT 10")
        var cursorDetails: [String] = []
        while try afterCursor.step() { cursorDetails.append(afterCursor.string(3)) }
        #expect(cursorDetails.contains { $0.contains("USING INDEX tasks_due") }, "\(cursorDetails)")
        #expect(!cursorDetails.contains { $0.contains("TEMP B-TREE") }, "\(cursorDetails)")
    }

    @Test func applyRecordsEventsOnlyForChangesAndSkipsRemovedRows() async throws {
        let (store, _) = try makeStore()
        try await store.add(["a", "b", "gone"], dueAt: Timestamp(milliseconds: 0))
        let due = try await store.dueTasks(now: .now(), limit: 10, excluding: [])
        #expect(due.count == 3)
        _ = try await store.remove(["gone"], now: .now())
        let now = Timestamp.now()
        let updates = due.map { task in
            TaskUpdate(
                rowID: task.rowID, taskID: task.taskID, status: task.taskID == "a" ? .success : .pending,
                terminal: task.taskID == "a", runID: task.taskID == "a" ? 9 : nil, reason: nil, message: nil, checks: 1,
                failures: 0, notFoundStreak: 0, checkedAt: now,
                nextCheckAt: task.taskID == "a" ? nil : now.adding(seconds: 5),
                changed: task.taskID != "b")
        }
        let events = try await store.apply(updates, now: now)
        #expect(events.map(\.task.taskID) == ["a"], "a changed; b did not; gone was removed meanwhile")
        #expect(events.first?.task.runID == 9)
        let tasks = try await store.get(["a", "b", "gone"])
        #expect(tasks.map(\.status) == [.success, .pending, .untracked])
        #expect(tasks[0].terminal && tasks[1].checks == 1)
        #expect(try await store.dueTasks(now: now.adding(seconds: 60), limit: 10, excluding: []).map(\.taskID) == ["b"])
    }

    @Test func resultsAreRequestedOnlyForSucceededTasksOfKindsThatHaveOne() async throws {
        let (store, _) = try makeStore()
        let now = Timestamp.now()
        _ = try await store.add(["voice"], kind: "tts", now: now, firstChecks: [Timestamp(milliseconds: 0)])
        _ = try await store.add(["subs"], kind: "sub", now: now, firstChecks: [Timestamp(milliseconds: 0)])
        _ = try await store.add(["busy"], kind: "tts", now: now, firstChecks: [Timestamp(milliseconds: 0)])
        let due = try await store.dueTasks(now: .now(), limit: 10, excluding: [])
        let updates = due.map { task in
            let done = task.taskID != "busy"
            return TaskUpdate(
                rowID: task.rowID, taskID: task.taskID, status: done ? .success : .pending, terminal: done,
                runID: done ? 7 : nil, reason: nil, message: nil, checks: 1, failures: 0, notFoundStreak: 0,
                checkedAt: now, nextCheckAt: done ? nil : now.adding(seconds: 5), changed: true)
        }
        _ = try await store.apply(updates, now: now)
        let requested = try await store.requestResults(["voice", "subs", "busy", "unknown"], into: "/r", now: now)
        #expect(requested == ["voice"], "sub has no result endpoint; busy has not succeeded")
        let tasks = try await store.get(["voice", "subs"])
        #expect(tasks[0].resultState == .pending && tasks[1].resultState == nil, "nothing pending for the sub task")
    }

    @Test func eventsReplayInOrderAfterACursorAcrossReopening() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        var seqs: [Int64] = []
        do {
            let (store, _) = try makeStore(directory)
            try await store.add(["x", "y", "z"], dueAt: .now())
            seqs = try await store.remove(["x", "y", "z"], now: .now()).map(\.seq)
        }
        #expect(seqs.count == 3 && seqs == seqs.sorted())
        let (store, _) = try await reopenStore(directory)
        #expect(try await store.lastEventSeq() == seqs[2])
        let replay = try await store.events(after: seqs[0], limit: 100)
        #expect(replay.map(\.seq) == [seqs[1], seqs[2]])
        #expect(replay.map(\.task.taskID) == ["y", "z"])
        #expect(replay.allSatisfy { $0.task.status == .untracked })
    }

    @Test func listPagesByTaskIDWithFilters() async throws {
        let (store, _) = try makeStore()
        try await store.add(["c", "a", "b", "d"], dueAt: .now())
        #expect(try await store.list(status: nil, kind: nil, limit: 2, after: nil).map(\.taskID) == ["a", "b"])
        #expect(try await store.list(status: nil, kind: nil, limit: 2, after: "b").map(\.taskID) == ["c", "d"])
        #expect(try await store.list(status: .terminal, kind: nil, limit: 10, after: nil).isEmpty)
        #expect(try await store.list(status: .exactly("PENDING"), kind: "tts", limit: 10, after: nil).count == 4)
        #expect(try await store.list(status: nil, kind: "dub", limit: 10, after: nil).isEmpty)
    }

    @Test func sqliteErrorsCarryExtendedCodes() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
        try db.execute("INSERT INTO t VALUES ('a')")
        do {
            try db.execute("INSERT INTO t VALUES ('a')")
            Issue.record("expected a constraint error")
        } catch let error as SQLiteError {
            #expect(error.code == .constraint)
            #expect(error.extendedCode == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY
            #expect(error.message.contains("UNIQUE"))
        }
    }

    @Test func failedTransactionLeavesNothing() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.execute("INSERT INTO t VALUES ('a')")
                throw Boom()
            }
        }
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 0)
    }
}

@Suite struct DatabaseLifetimeTests {
    /// Cached statements must not keep their database (and its connection and file) alive.
    @Test func aDatabaseWithCachedStatementsIsReleased() throws {
        weak var released: Database?
        do {
            let db = try Database(path: ":memory:")
            try db.execute("CREATE TABLE t (x)")
            let insert = try db.cached("INSERT INTO t VALUES (?)")
            try insert.bind(Int64(1), at: 1)
            try insert.run()
            released = db
        }
        #expect(released == nil)
    }
}

/// One transaction for several Add calls: each call's counts are those it would get alone,
/// had the calls run one after another in the group's order.
@Suite struct TaskStoreGroupAddTests {
    func planned(_ ids: [String], kind: String = "tts", tag: String? = nil) -> PlannedAdd {
        let now = Timestamp.now()
        return PlannedAdd(
            request: AddRequest(ids: ids, kind: kind, tag: tag), now: now, firstChecks: ids.map { _ in now })
    }

    @Test func eachCallOfAGroupGetsTheCountsOfRunningInOrder() async throws {
        let (store, _) = try makeStore()
        try await store.add(["old"], dueAt: .now())
        let counts = try await store.add([
            planned(["a", "b"]), planned(["b", "c"]), planned(["old", "a"]), planned(["d", "d"], kind: "dub"),
        ])
        #expect(
            counts == [
                AddCounts(added: 2, existing: 0), AddCounts(added: 1, existing: 1), AddCounts(added: 0, existing: 2),
                AddCounts(added: 1, existing: 1),
            ])
        let tasks = try await store.get(["a", "b", "c", "d"])
        #expect(tasks.map(\.status) == [.pending, .pending, .pending, .pending])
        #expect(tasks.map(\.kind) == ["tts", "tts", "tts", "dub"], "each call keeps its own kind")
    }

    @Test func eachCallOfAGroupTagsOnlyTheIdsItAdds() async throws {
        let (store, _) = try makeStore()
        let counts = try await store.add([
            planned(["t-1", "t-2"], tag: "first"), planned(["t-2", "t-3"], tag: "second"), planned(["t-4"]),
        ])
        #expect(counts.map(\.added) == [2, 1, 1])
        let tasks = try await store.get(["t-1", "t-2", "t-3", "t-4"])
        #expect(tasks.map(\.tag) == ["first", "first", "second", nil], "an id already added keeps its tag")
    }
}
