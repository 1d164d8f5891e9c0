import Synchronization

/// Copies the WAL back into the database on a connection and a thread of its own, so that no
/// commit (an `Add` waiting for its reply, a batch of check results) waits for the bulk of a
/// checkpoint. The writer tells it after each commit how many pages the WAL holds
/// (``Database/handOffCheckpoints(backstop:notify:)``). Past ``threshold`` it runs a passive
/// checkpoint, which never blocks the writer or the readers; once that is done, the writer's
/// next commit checkpoints the little written meanwhile, and the WAL starts over from its
/// beginning rather than growing.
actor Checkpointer {
    /// SQLite's own automatic checkpoint threshold, in pages: the WAL stays about this size.
    static let threshold = 1000
    /// What the writer's own checkpoint may be left to copy: about one group commit of Adds.
    static let tail = 64
    /// Passes at most before the writer is left the rest, however much: a writer faster than
    /// the copy would otherwise keep it going for ever.
    static let maxPasses = 8

    private enum State {
        /// The WAL is under the threshold, or nobody has noticed yet.
        case idle
        /// A passive checkpoint runs here.
        case copying
        /// It is done: the writer's next commit checkpoints the rest.
        case tailLeft
    }

    private let executor: SerialQueueExecutor
    private let db: Database
    private nonisolated let state = Mutex(State.idle)

    nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Opens its own connection to the store's database, which must exist, in WAL mode.
    init(path: String, busyTimeout: Double) throws {
        executor = SerialQueueExecutor(label: "io.ttstrack.store.checkpoint")
        let db = try Database(path: path, create: false)
        db.setBusyTimeout(milliseconds: Int32(busyTimeout * 1000))
        // A checkpoint fsyncs the WAL before it copies and the database after, as the writer's
        // commits are durable: the copy never loses a page the WAL would still have held.
        try db.execute("PRAGMA synchronous = FULL")
        self.db = db
    }

    /// Called by the writer after each commit, on its thread: cheap, and never waits.
    /// - Returns: whether that commit should checkpoint the rest itself now.
    nonisolated func walHolds(pages: Int) -> Bool {
        let (start, tail) = state.withLock { state -> (Bool, Bool) in
            switch state {
            case .idle where pages >= Self.threshold:
                state = .copying
                return (true, false)
            case .idle, .copying:
                return (false, false)
            case .tailLeft:
                state = .idle
                return (false, true)
            }
        }
        if start { Task { await self.copy() } }
        return tail
    }

    /// Passes until what the last one left (written while it ran) is at most ``tail`` pages,
    /// each shorter than the one before while the writer writes slower than this copies.
    private func copy() {
        for _ in 0..<Self.maxPasses {
            // A checkpoint that fails (busy with the writer's own, an I/O error) leaves the pages
            // in the WAL: the writer's tail checkpoint, or the next round, copies them.
            guard let (walPages, copied) = try? db.checkpointPassively() else { break }
            try? db.syncDatabaseFile()
            if walPages - copied <= Self.tail { break }
        }
        state.withLock { $0 = .tailLeft }
    }
}
