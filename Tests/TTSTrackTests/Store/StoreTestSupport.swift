import Foundation
import TTSTrack
import TTSTrackTestSupport

/// A store in a fresh temporary directory.
func makeStore(_ directory: String = DaemonProcess.makeTemporaryDirectory()) throws -> (TaskStore, String) {
    let path = "\(directory)/tasks.sqlite3"
    return (try TaskStore(path: path), path)
}

extension TaskStore {
    /// Adds ids due at `dueAt`.
    @discardableResult
    nonisolated func add(
        _ ids: [String], dueAt: Timestamp, now: Timestamp = .now()
    ) async throws -> (
        added: Int, existing: Int
    ) {
        try await add(ids, kind: "tts", now: now) { _ in dueAt }
    }
}
