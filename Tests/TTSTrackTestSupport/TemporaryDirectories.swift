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

    private static func removeAll() {
        for path in paths.withLock({ $0 }) {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
