import Foundation
import TTSTrack
import TTSTrackTestSupport
import Testing

/// Checkpoints run beside the commits: the WAL's pages reach the database file, and the WAL
/// starts over at about the threshold's size instead of growing to the backstop, where commits
/// would checkpoint it themselves.
@Suite struct CheckpointerTests {
    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// SQLite's own threshold, a quarter of the daemon's: the tests reach it, and ten times it
    /// (the backstop), with few commits.
    static let threshold = 1000

    @Test func theWALStaysNearTheThresholdAndReachesTheDatabase() async throws {
        let path = "\(DaemonProcess.makeTemporaryDirectory())/tasks.sqlite3"
        let store = try TaskStore(path: path, checkpointThreshold: Self.threshold) { try $0.syncDatabaseFile() }
        let emptySize = Self.size(path)
        // 200 commits of 100 random ids: about 100 pages each, 20 times the threshold, yet far
        // under the backstop a commit would checkpoint at itself.
        for _ in 0..<200 {
            try await store.add((0..<100).map { _ in UUID().uuidString }, dueAt: .now())
        }
        try await eventually("the database file holds the ids") { Self.size(path) > emptySize + 1_000_000 }
        let walPages = Self.size(path + "-wal") / 4096
        // Well under the 10,000-page backstop at which commits would checkpoint it themselves,
        // with room for a checkpointer slowed by a loaded machine.
        #expect(walPages < 8000, "the WAL is reused rather than grown (\(walPages) pages)")
        #expect(try await store.reader.countsByStatus()["PENDING"] == 20_000)
    }
}

/// A failed sync of the database file stops every checkpoint in the process (the WAL grows
/// past the backstop instead of starting over), the store says why, and nothing is lost: a
/// reopened store has every id.
@Suite struct CheckpointerFailureTests {
    struct SyncFailed: Error, CustomStringConvertible {
        var description: String { "EIO" }
    }

    @Test func aFailedSyncHoldsEveryCheckpointAndLosesNothing() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let path = "\(directory)/tasks.sqlite3"
        var ids: [String] = []
        func addBatch(_ store: TaskStore) async throws {
            let batch = (0..<100).map { _ in UUID().uuidString }  // about 100 pages a commit
            try await store.add(batch, dueAt: .now())
            ids += batch
        }
        do {
            let store = try TaskStore(
                path: path, checkpointThreshold: CheckpointerTests.threshold,
                checkpointSync: { _ in throw SyncFailed() })
            // A reader holding an old snapshot keeps every pass short of the WAL's end, so each
            // is followed by a sync, and the first of those fails.
            let reader = try Database(path: path)
            try reader.execute("BEGIN")
            _ = try reader.scalarInt("SELECT count(*) FROM tasks")
            for _ in 0..<500 where store.checkpointFailure == nil { try await addBatch(store) }
            let failure = try #require(store.checkpointFailure)
            #expect(failure.contains("cannot sync the database file"))
            try reader.execute("COMMIT")

            // From now on no checkpoint may complete, not even the writer's at the backstop
            // (10,000 pages): the database file does not grow while 15,000 more pages commit.
            let before = CheckpointerTests.size(path)
            for _ in 0..<150 { try await addBatch(store) }
            #expect(CheckpointerTests.size(path) == before, "nothing was copied into the database file")
            #expect(store.checkpointFailure == failure, "the store still says why")
        }
        let (reopened, _) = try await reopenStore(directory)
        #expect(try await reopened.countsByStatus() == ["PENDING": ids.count], "the WAL held every id")
        #expect(reopened.checkpointFailure == nil)
    }
}
