import Foundation

/// The reference for Add: the `sqlite3` shell storing the same ids in a table shaped like the
/// daemon's, WAL with synchronous=FULL, one transaction (one commit) per 10,000 ids — what
/// one Add call of 10,000 ids has to do at least.
enum SQLiteShellReference {
    static let installHint =
        "sqlite3 not found: run `apt-get install sqlite3` (or scripts/setup sqlite3) for the reference"

    static let schema = """
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=FULL;
        CREATE TABLE tasks(id INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, \
        status TEXT NOT NULL, terminal INTEGER NOT NULL DEFAULT 0, run_id INTEGER, reason TEXT, message TEXT, \
        checks INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0, not_found INTEGER NOT NULL DEFAULT 0, \
        added_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, checked_at INTEGER, next_check_at INTEGER);
        CREATE INDEX tasks_due ON tasks(next_check_at) WHERE terminal = 0;
        """

    /// The shell script: schema, `.import` of the id file into a staging table, then one
    /// autocommit `INSERT … SELECT` (one durable transaction) per `batch` rows.
    static func script(idsFile: String, count: Int, batch: Int) -> String {
        var lines = [schema, "CREATE TEMP TABLE staging(task_id TEXT);", ".import \(idsFile) staging"]
        let now = 1_700_000_000_000
        for start in stride(from: 1, through: count, by: batch) {
            lines.append(
                "INSERT INTO tasks(task_id, kind, status, added_at, updated_at, next_check_at) "
                    + "SELECT task_id, 'tts', 'PENDING', \(now), \(now), \(now + 3_600_000) FROM staging "
                    + "WHERE rowid BETWEEN \(start) AND \(start + batch - 1);")
        }
        lines.append("SELECT count(*) FROM tasks;")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs the shell on a fresh database in `directory`; returns the wall time of the whole
    /// run (start of the shell to its exit), or nil when `sqlite3` is not installed.
    static func run(idsFile: String, count: Int, batch: Int = 10_000, directory: String) throws(BenchError) -> Duration?
    {
        guard let executable = ChildProcess.find("sqlite3") else { return nil }
        let scriptPath = "\(directory)/reference.sql"
        do {
            try script(idsFile: idsFile, count: count, batch: batch).write(
                toFile: scriptPath, atomically: true, encoding: .utf8)
        } catch {
            throw BenchError("cannot write \(scriptPath): \(error.localizedDescription)")
        }
        let started = ContinuousClock.now
        let child = try ChildProcess(
            name: "sqlite3", executable: executable,
            arguments: ["-bail", "-init", scriptPath, "\(directory)/reference.db", ".quit"],
            logDirectory: directory)
        let status = try child.waitForExit(timeout: .seconds(600))
        let elapsed = ContinuousClock.now - started
        let rows = child.stdout.split(separator: "\n").last.map(String.init) ?? ""
        guard status == 0, rows == "\(count)" else {
            throw BenchError("sqlite3 reference failed (status \(status), rows \(rows)): \(child.stderr)")
        }
        return elapsed
    }
}
