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

    @Test func theWALStaysNearTheThresholdAndReachesTheDatabase() async throws {
        let (store, path) = try makeStore()
        let emptySize = Self.size(path)
        // 200 commits of 100 random ids: about 100 pages each, 20 times the threshold, yet far
        // under the backstop a commit would checkpoint at itself.
        for _ in 0..<200 {
            try await store.add((0..<100).map { _ in UUID().uuidString }, dueAt: .now())
        }
        try await eventually("the database file holds the ids") { Self.size(path) > emptySize + 1_000_000 }
        let walPages = Self.size(path + "-wal") / 4096
        #expect(walPages < 3 * 1000, "the WAL is reused rather than grown (\(walPages) pages)")
        #expect(try await store.reader.countsByStatus()["PENDING"] == 20_000)
    }
}
