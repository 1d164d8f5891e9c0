import Synchronization

/// Copies the WAL back into the database on a connection and a thread of its own, so that no
/// commit (an `Add` waiting for its reply, a batch of check results) waits for the bulk of a
/// checkpoint. The writer tells it after each commit how many pages the WAL holds
/// (``Database/handOffCheckpoints(backstop:notify:)``). Past ``threshold`` it runs a passive
/// checkpoint, which never blocks the writer or the readers, and syncs what it copied; once
/// that is done, the writer's next commit checkpoints the little written meanwhile, and the WAL
/// starts over from its beginning rather than growing.
actor Checkpointer {
    /// The WAL's size, in pages, at which a copy starts by default: 16 MiB of 4 KiB pages, four
    /// times SQLite's own threshold. Each page a copy writes is the latest of all the frames the
    /// WAL holds for it, so a longer WAL copies each hot page (an index leaf that every commit of
    /// random ids dirties again) fewer times, and copies, each ending with a sync of the
    /// database file on the disk the commits sync the WAL to, start a quarter as often. With 64
    /// clients adding one id each, alternated runs gave 17,200–18,100 ids/s against
    /// 13,800–14,100 at 1,000 pages; 16,000 pages did no better.
    static let defaultThreshold = 4000
    /// The WAL's size, in pages, at which a copy starts: the WAL stays about this size.
    let threshold: Int
    /// The WAL's size, in pages, at which a commit copies it itself, should the copy fall
    /// behind (``Database/handOffCheckpoints(backstop:notify:)``): ten times the threshold.
    nonisolated var backstop: Int { 10 * threshold }
    /// What the writer's own checkpoint may be left to copy: about one group commit of Adds.
    static let tail = 64
    /// Passes at most before the writer is left the rest, however much: a writer faster than
    /// the copy would otherwise keep it going for ever.
    static let maxPasses = 8

    private enum State {
        /// The WAL is under the threshold, or nobody has noticed yet.
        case idle
        /// Passive checkpoints run here.
        case copying
        /// It is done: the writer's next commit checkpoints the rest.
        case tailLeft
        /// Syncing the database file failed: no checkpoint may complete in this process (see
        /// ``WALCheckpoint/hold``), the WAL grows until a restart, whose recovery copies it all
        /// again. The reason is shown as the store's error.
        case failed(String)
    }

    private let executor: SerialQueueExecutor
    private let db: Database
    private nonisolated let state = Mutex(State.idle)

    nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// How a pass's copy is made durable; tests put a failing one here.
    typealias Sync = @Sendable (Database) throws -> Void
    private let sync: Sync

    /// Opens its own connection to the store's database, which must exist, in WAL mode.
    /// - Parameter sync: flushes the database file after a pass (``Database/syncDatabaseFile()``).
    /// - Parameter threshold: see ``defaultThreshold``; tests make it small.
    init(path: String, busyTimeout: Double, threshold: Int = defaultThreshold, sync: @escaping Sync) throws {
        self.sync = sync
        self.threshold = threshold
        executor = SerialQueueExecutor(label: "io.ttstrack.store.checkpoint")
        let db = try Database(path: path, create: false)
        db.setBusyTimeout(milliseconds: Int32(busyTimeout * 1000))
        // A checkpoint fsyncs the WAL before it copies, and the database file after a pass
        // that reaches the WAL's end (``copy()`` syncs after the others).
        try db.execute("PRAGMA synchronous = FULL")
        self.db = db
    }

    /// Called by the writer after each commit, on its thread: cheap, and never waits.
    /// - Returns: what that commit does about the WAL.
    nonisolated func walHolds(pages: Int) -> WALCheckpoint {
        let (start, advice) = state.withLock { state -> (Bool, WALCheckpoint) in
            switch state {
            case .idle where pages >= threshold:
                state = .copying
                return (true, .leave)
            case .idle, .copying:
                return (false, .leave)
            case .tailLeft:
                state = .idle
                return (false, .now)
            case .failed:
                return (false, .hold)
            }
        }
        if start { Task { await self.copy() } }
        return advice
    }

    /// Why checkpoints stopped, once syncing the database file has failed; nil until then.
    nonisolated var failure: String? {
        state.withLock { state in
            if case .failed(let reason) = state { return reason }
            return nil
        }
    }

    /// Passes until what the last one left (written while it ran) is at most ``tail`` pages,
    /// each shorter than the one before while the writer writes slower than this copies. A pass
    /// that stops short of the WAL's end leaves what it copied unsynced (SQLite syncs only for a
    /// pass that reaches the end), so each pass is followed by a sync of the database file
    /// (after one that reached the end there is nothing left to flush; measured, skipping that
    /// sync did not make commits faster but their p99 slower).
    private func copy() {
        for _ in 0..<Self.maxPasses {
            // A checkpoint that fails (busy with the writer's own, an I/O error) does not move
            // the WAL's copied mark: its pages are copied again by a later one.
            guard let (walPages, copied) = try? db.checkpointPassively() else { break }
            do {
                try sync(db)
            } catch {
                state.withLock {
                    $0 = .failed(
                        "cannot sync the database file (\(error)); restart ttstrackd to recover it from the WAL")
                }
                return
            }
            if walPages - copied <= Self.tail { break }
        }
        state.withLock { $0 = .tailLeft }
    }
}
