import CSQLite

extension Database {
    /// Takes the bulk of each checkpoint out of the commits. By default SQLite copies the WAL
    /// back into the database inside the COMMIT that takes it past 1,000 pages: that commit
    /// waits for the copy and its fsyncs, tens of times longer than the others. Here SQLite's
    /// automatic checkpoint is replaced by `notify`, called after each commit (on the committing
    /// thread, before COMMIT returns; keep it cheap) with the pages now in the WAL, so the copy
    /// can run on another connection meanwhile. When `notify` answers ``WALCheckpoint/now``, the
    /// commit checkpoints what that copy left (the pages written since it began) itself: only a
    /// checkpoint between the writer's transactions lets the next one start the WAL over rather
    /// than grow it. Should the copy fall behind, a commit that finds `backstop` pages or more
    /// checkpoints inline, as SQLite would (unless `notify` answers ``WALCheckpoint/hold``); one
    /// that finds the other connection's checkpoint still running gives way at once (busy), and
    /// the WAL grows by what commits until that one ends.
    public func handOffCheckpoints(backstop: Int, notify: @escaping @Sendable (Int) -> WALCheckpoint) {
        let handOff = WALHandOff(backstop: backstop, notify: notify)
        walHandOff = handOff
        // The hook's context is the box, kept alive by `walHandOff` until the connection closes
        // (deinit closes the connection before its stored properties are released).
        sqlite3_wal_hook(
            handle,
            { context, connection, name, pages in
                guard let context else { return SQLITE_OK }
                let handOff = Unmanaged<WALHandOff>.fromOpaque(context).takeUnretainedValue()
                // What SQLite's own hook does: a passive checkpoint of this database, whose failure
                // (busy) the commit does not report.
                switch handOff.notify(Int(pages)) {
                case .now: sqlite3_wal_checkpoint(connection, name)
                case .leave where Int(pages) >= handOff.backstop: sqlite3_wal_checkpoint(connection, name)
                case .leave, .hold: break
                }
                return SQLITE_OK
            }, Unmanaged.passUnretained(handOff).toOpaque())
    }

    /// A passive checkpoint: copies into the database what the WAL holds that no reader still
    /// needs, without waiting for readers or taking the writer's lock, so commits go on meanwhile.
    /// Once everything is copied the next commit starts the WAL over from its beginning.
    /// - Returns: the pages in the WAL, and how many of them are now in the database.
    @discardableResult
    public func checkpointPassively() throws -> (walPages: Int, copied: Int) {
        var log: Int32 = 0
        var copied: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
        guard code == SQLITE_OK else { throw Self.error(on: handle, sql: "checkpoint") }
        return (Int(log), Int(copied))
    }

    /// Flushes the database file to disk through this connection's own file handle (SQLite's
    /// VFS, so no second descriptor of ours could drop SQLite's POSIX locks when closed). A
    /// passive checkpoint that does not reach the WAL's end leaves the pages it copied unsynced,
    /// for the checkpoint that does reach it to flush them all inside some commit: syncing after
    /// each pass moves that flush out of the commits too.
    public func syncDatabaseFile() throws {
        var file: UnsafeMutablePointer<sqlite3_file>?
        let code = sqlite3_file_control(handle, "main", SQLITE_FCNTL_FILE_POINTER, &file)
        guard code == SQLITE_OK, let file, let sync = file.pointee.pMethods?.pointee.xSync else {
            throw SQLiteError(extendedCode: code, message: "the database file cannot be synced", sql: "sync")
        }
        let result = sync(file, SQLITE_SYNC_NORMAL)
        guard result == SQLITE_OK else {
            throw SQLiteError(extendedCode: result, message: "cannot sync the database file", sql: "sync")
        }
    }
}

/// What a commit does about the WAL once it is told how many pages the WAL holds.
public enum WALCheckpoint: Sendable {
    /// Nothing, unless the WAL has reached the backstop.
    case leave
    /// Checkpoint now, before COMMIT returns.
    case now
    /// Never, not even at the backstop: a copy's fsync failed, and the checkpoint that completes
    /// the WAL would let it start over, over pages the database file may not hold (Linux may
    /// drop dirty pages whose write failed and report the next fsync clean).
    case hold
}

/// The WAL hook's state, boxed for the C callback's context pointer.
final class WALHandOff {
    let backstop: Int
    let notify: @Sendable (Int) -> WALCheckpoint

    init(backstop: Int, notify: @escaping @Sendable (Int) -> WALCheckpoint) {
        self.backstop = backstop
        self.notify = notify
    }
}
