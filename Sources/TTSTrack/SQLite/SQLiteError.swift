import CSQLite

/// An error reported by SQLite, carrying the extended result code so callers can tell a busy
/// database from a full disk from a corrupt file, and SQLite's own message for the log.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The extended result code (`sqlite3_extended_errcode`), e.g. `SQLITE_BUSY_SNAPSHOT`.
    public let extendedCode: Int32
    /// SQLite's message for the failure.
    public let message: String
    /// The statement that failed, if any: helps the log, never contains bound values.
    public let sql: String?

    /// The primary result code (the low byte of the extended code), e.g. `SQLITE_BUSY`.
    public var code: ResultCode { ResultCode(rawValue: extendedCode & 0xFF) }

    public init(extendedCode: Int32, message: String, sql: String? = nil) {
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var text = "SQLite error \(extendedCode) (\(code)): \(message)"
        if let sql { text += " [\(sql)]" }
        return text
    }

    /// SQLite's primary result codes, as a struct so that new codes need no new enum case.
    public struct ResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let error = ResultCode(rawValue: SQLITE_ERROR)
        public static let busy = ResultCode(rawValue: SQLITE_BUSY)
        public static let locked = ResultCode(rawValue: SQLITE_LOCKED)
        public static let readOnly = ResultCode(rawValue: SQLITE_READONLY)
        public static let ioError = ResultCode(rawValue: SQLITE_IOERR)
        public static let corrupt = ResultCode(rawValue: SQLITE_CORRUPT)
        public static let full = ResultCode(rawValue: SQLITE_FULL)
        public static let cantOpen = ResultCode(rawValue: SQLITE_CANTOPEN)
        public static let constraint = ResultCode(rawValue: SQLITE_CONSTRAINT)
        public static let notADatabase = ResultCode(rawValue: SQLITE_NOTADB)

        public var description: String {
            String(cString: sqlite3_errstr(rawValue))
        }
    }
}
