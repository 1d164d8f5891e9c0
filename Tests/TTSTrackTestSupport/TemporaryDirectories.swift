import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The temporary directories tests made, removed at process exit: a directory outlives the
/// test that made it (a daemon restarted on the same store), so no test can remove its own.
enum TemporaryDirectories {
    private static let paths = Mutex<[String]>([])
    private static let installed: Void = {
        atexit { TemporaryDirectories.removeAll() }
    }()

    static func register(_ path: String) {
        guard ProcessInfo.processInfo.environment["TTSTRACK_KEEP_TEST_DIRS"] == nil else { return }
        _ = installed
        paths.withLock { $0.append(path) }
    }

    /// Removes `path` now, for an owner that knows nothing outlives it (a fixture's own
    /// directory); kept like the rest when `TTSTRACK_KEEP_TEST_DIRS` is set.
    static func remove(_ path: String) {
        guard ProcessInfo.processInfo.environment["TTSTRACK_KEEP_TEST_DIRS"] == nil else { return }
        paths.withLock { $0.removeAll { $0 == path } }
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func removeAll() {
        for path in paths.withLock({ $0 }) {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
