import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire

/// A store in a fresh temporary directory.
func makeStore(_ directory: String = DaemonProcess.makeTemporaryDirectory()) throws -> (TaskStore, String) {
    let path = "\(directory)/tasks.sqlite3"
    return (try TaskStore(path: path), path)
}

/// Opens the store in `directory` again once the previous instance has let go of its lock: the
/// last reference to an actor may be dropped a moment after the code that used it returns.
func reopenStore(_ directory: String) async throws -> (TaskStore, String) {
    let deadline = ContinuousClock.now + .seconds(10)
    while true {
        do {
            return try makeStore(directory)
        } catch let error as TaskStoreError where error.description.contains("already using") {
            if ContinuousClock.now > deadline { throw error }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

extension TaskStore {
    /// Adds ids due at `dueAt`.
    @discardableResult
    nonisolated func add(
        _ ids: [String], dueAt: Timestamp, now: Timestamp = .now()
    ) async throws -> (
        added: Int, existing: Int
    ) {
        try await add(ids, kind: "tts", now: now, firstChecks: ids.map { _ in dueAt })
    }
}
