import Dispatch
import Synchronization
import TTSTrack
import TTSTrackTestSupport
import Testing

/// Reads that may visit every task run on the store's scanner, not on its reader, which the
/// daemon runs on the control socket's loop: at a million tasks a count takes a fifth of a
/// second, and a Get must not wait behind it.
@Suite struct TaskStoreScannerTests {
    /// A serial executor whose queue runs nothing until released: the reader, held.
    final class HeldExecutor: SerialExecutor {
        private let queue = DispatchQueue(label: "io.ttstrack.test.held-reader")
        private let held = Mutex(true)

        init() { queue.suspend() }

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
        }

        func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

        /// Lets the queue run; once only (a suspended queue must be resumed as often as suspended).
        func release() {
            if held.withLock({ isHeld in
                defer { isHeld = false }
                return isHeld
            }) {
                queue.resume()
            }
        }
    }

    /// Runs `body` in a task of its own and waits (10 s at most) for its value, so that a read
    /// queued on the held reader fails the test instead of hanging it.
    static func finishes<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
        }
        try await eventually(timeout: .seconds(10), what) { outcome.withLock { $0 != nil } }
        return try outcome.withLock { $0! }.get()
    }

    @Test func countsAndFilteredListsDoNotWaitForTheReader() async throws {
        let held = HeldExecutor()
        defer { held.release() }
        let directory = DaemonProcess.makeTemporaryDirectory()
        let store = try TaskStore(path: "\(directory)/tasks.sqlite3", readerExecutor: held)
        try await store.add(["a", "b"], dueAt: .now())
        _ = try await store.add(["c"], kind: "dub", now: .now(), firstChecks: [.now()])

        let counts = try await Self.finishes("the counts, with the reader held") { try await store.countsByStatus() }
        #expect(counts == ["PENDING": 3])
        let dubs = try await Self.finishes("a list by kind, with the reader held") {
            try await store.list(status: nil, kind: "dub", limit: 10, after: nil).map(\.taskID)
        }
        #expect(dubs == ["c"])
        let pending = try await Self.finishes("a list by status, with the reader held") {
            try await store.list(status: .exactly("PENDING"), kind: nil, limit: 10, after: nil).map(\.taskID)
        }
        #expect(pending == ["a", "b", "c"])

        // The reader does serve Get, once it runs.
        let get = Task { try await store.get(["a"]).map(\.status) }
        held.release()
        #expect(try await get.value == [.pending])
    }
}
