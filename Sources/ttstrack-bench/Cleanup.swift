import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Everything the benchmark must undo however it ends: child processes to kill and
/// temporary directories to remove. Scenarios register what they create; normal exits,
/// thrown errors and SIGINT/SIGTERM all end in ``cleanUp()``.
final class Cleanup: Sendable {
    static let shared = Cleanup()

    private let state = Mutex<(pids: Set<Int32>, directories: [String], signalSources: [any DispatchSourceSignal])>(
        ([], [], []))

    private init() {}

    func register(pid: Int32) {
        state.withLock { _ = $0.pids.insert(pid) }
    }

    func unregister(pid: Int32) {
        state.withLock { _ = $0.pids.remove(pid) }
    }

    func register(directory: String) {
        state.withLock { $0.directories.append(directory) }
    }

    /// Kills every registered child (SIGKILL: they are ours and disposable) and removes the
    /// registered directories. Safe to call more than once.
    func cleanUp() {
        let (pids, directories) = state.withLock { s in
            let taken = (s.pids, s.directories)
            s.pids = []
            s.directories = []
            return taken
        }
        for pid in pids { kill(pid, SIGKILL) }
        // Foundation's Process reaps its children itself; wait only until each one is dead
        // (gone, or a zombie) so that it no longer writes into the directories.
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline, pids.contains(where: { ProcessStats.isAlive(pid: $0) }) {
            usleep(10_000)
        }
        for directory in directories {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// On SIGINT or SIGTERM: clean up and exit with 128 + signal.
    func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                Progress.log("interrupted: stopping children and removing temporary files")
                cleanUp()
                exit(128 + sig)
            }
            source.resume()
            state.withLock { $0.signalSources.append(source) }
        }
    }
}
