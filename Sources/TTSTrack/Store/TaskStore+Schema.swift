extension TaskStore {
    /// `PRAGMA application_id`: marks the file as ours, so a foreign database is never migrated.
    static let applicationID: Int64 = 0x5454_5354  // "TTST"

    /// Forward migrations; `migrations[n]` takes `user_version` from n to n + 1.
    static let migrations: [String] = [
        """
        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            terminal INTEGER NOT NULL DEFAULT 0,
            run_id INTEGER,
            reason TEXT,
            message TEXT,
            checks INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0,
            not_found INTEGER NOT NULL DEFAULT 0,
            added_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            checked_at INTEGER,
            next_check_at INTEGER
        );
        CREATE INDEX tasks_due ON tasks(next_check_at) WHERE terminal = 0;
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            task_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            terminal INTEGER NOT NULL,
            run_id INTEGER,
            reason TEXT,
            message TEXT,
            checks INTEGER NOT NULL,
            added_at INTEGER,
            checked_at INTEGER
        );
        CREATE INDEX events_at ON events(at);
        """,
        // Results on disk: the state of a task's result and, while pending, when its next
        // attempt is due; events carry the result too, so Watch(since:) replays it.
        """
        ALTER TABLE tasks ADD COLUMN result_state TEXT;
        ALTER TABLE tasks ADD COLUMN result_path TEXT;
        ALTER TABLE tasks ADD COLUMN result_bytes INTEGER;
        ALTER TABLE tasks ADD COLUMN result_error TEXT;
        ALTER TABLE tasks ADD COLUMN result_attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tasks ADD COLUMN result_due_at INTEGER;
        ALTER TABLE tasks ADD COLUMN result_dir TEXT;
        CREATE INDEX tasks_result_due ON tasks(result_due_at) WHERE result_state = 'pending';
        ALTER TABLE events ADD COLUMN result_state TEXT;
        ALTER TABLE events ADD COLUMN result_path TEXT;
        ALTER TABLE events ADD COLUMN result_bytes INTEGER;
        ALTER TABLE events ADD COLUMN result_error TEXT;
        """,
        // Tags: a name given at Add to a batch of tasks, to list, wait for and watch them together.
        // The index serves List and Wait by tag in task_id order; events carry the tag too, so
        // Watch by tag with since replays the changes of the tagged tasks (Remove included).
        """
        ALTER TABLE tasks ADD COLUMN tag TEXT;
        CREATE INDEX tasks_tag ON tasks(tag, task_id) WHERE tag IS NOT NULL;
        ALTER TABLE events ADD COLUMN tag TEXT;
        """,
        // Delivery outbox: one row per hook or webhook delivery of a task that ended, written in
        // the transaction that ended it (or settled its result), removed once delivered; given-up
        // rows stay as 'failed' until pruned with the events.
        """
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            target TEXT NOT NULL,
            task_id TEXT NOT NULL,
            state TEXT NOT NULL,
            message_id TEXT NOT NULL,
            body TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            ended_at INTEGER NOT NULL,
            due_at INTEGER,
            error TEXT
        );
        CREATE INDEX deliveries_due ON deliveries(target, due_at) WHERE state = 'pending';
        CREATE INDEX deliveries_task ON deliveries(task_id) WHERE state = 'held';
        """,
        // Learned durations: for each finish the API reported, the interval (after the last
        // check that saw the task pending, by the check that saw it terminal) in milliseconds
        // from Add, a bounded recent window per kind, so the adaptive schedule survives restarts.
        """
        CREATE TABLE durations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            lower_ms INTEGER NOT NULL,
            upper_ms INTEGER NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE INDEX durations_kind ON durations(kind, id);
        """,
    ]

    /// The migrations, for tests that build a store of an older schema.
    package static var migrationsForTesting: [String] { migrations }

    /// The schema version this build writes.
    static var schemaVersion: Int64 { Int64(migrations.count) }

    /// Checks that the file is ours (or empty) and brings its schema up to date.
    static func prepareSchema(_ db: Database, path: String) throws {
        let appID: Int64
        let version: Int64
        let objects: Int64
        do {
            appID = try db.scalarInt("PRAGMA application_id") ?? 0
            version = try db.scalarInt("PRAGMA user_version") ?? 0
            objects = try db.scalarInt("SELECT count(*) FROM sqlite_master") ?? 0
        } catch let error as SQLiteError where error.code == .notADatabase || error.code == .corrupt {
            throw TaskStoreError(
                "\(path) is not a ttstrack database or is corrupt (\(error.message)); refusing to touch it")
        }
        if appID != 0 && appID != applicationID {
            throw TaskStoreError(
                "\(path) belongs to another application (application_id \(appID)); refusing to touch it")
        }
        if appID == 0 && objects > 0 {
            throw TaskStoreError(
                "\(path) is a SQLite database of another program (it has tables but no ttstrack mark); refusing to touch it"
            )
        }
        if version > schemaVersion {
            throw TaskStoreError(
                "\(path) has schema version \(version), newer than this ttstrackd understands (\(schemaVersion)); refusing to touch it"
            )
        }
        guard version < schemaVersion else { return }
        try db.transaction(.exclusive) {
            for step in Int(version)..<migrations.count {
                try db.execute(migrations[step])
            }
            try db.execute("PRAGMA application_id = \(applicationID)")
            try db.execute("PRAGMA user_version = \(schemaVersion)")
        }
    }
}
