import CSQLite

/// A prepared statement. A final class so that `deinit` finalizes it exactly once. It holds the
/// raw connection handle, not the ``Database``: the database caches its statements, and a strong
/// reference back would keep both alive for ever. A statement that outlives its database is
/// still safe: `sqlite3_close_v2` keeps the connection until its last statement is finalized.
public final class Statement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    /// The SQL text, for error messages.
    public let sql: String

    init(database: Database, sql: String) throws {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw database.error(code: code, sql: sql)
        }
        self.handle = handle
        self.connection = database.handle
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Makes the statement ready to run again and forgets its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Binding (1-based indexes, as in SQLite)

    public func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    public func bind(_ value: Int, at index: Int32) throws {
        try bind(Int64(value), at: index)
    }

    public func bind(_ value: Double, at index: Int32) throws {
        try check(sqlite3_bind_double(handle, index, value))
    }

    /// Binds text with `SQLITE_TRANSIENT`, so SQLite copies it before Swift's buffer goes away;
    /// by its length in bytes, so a U+0000 inside it is kept rather than ending the text there.
    public func bind(_ value: String, at index: Int32) throws {
        var text = value
        try text.withUTF8 { bytes in
            // An empty buffer may have no address, and a null pointer would bind NULL.
            guard let base = bytes.baseAddress, bytes.count > 0 else {
                return try check(sqlite3_bind_text(handle, index, "", 0, ttstrack_sqlite_transient()))
            }
            try check(
                sqlite3_bind_text(
                    handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count),
                    ttstrack_sqlite_transient()))
        }
    }

    public func bindNull(at index: Int32) throws {
        try check(sqlite3_bind_null(handle, index))
    }

    public func bind(_ value: String?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    public func bind(_ value: Int64?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    /// Binds all values in order from index 1.
    public func bind(_ values: [SQLiteValue]) throws {
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    public func bind(_ value: SQLiteValue, at index: Int32) throws {
        switch value {
        case .null: try bindNull(at: index)
        case .integer(let v): try bind(v, at: index)
        case .real(let v): try bind(v, at: index)
        case .text(let v): try bind(v, at: index)
        }
    }

    /// Binds values by parameter name (`:name` in the SQL, given with its prefix). A name the
    /// statement does not have is a programming error, reported as `SQLITE_RANGE`.
    public func bind(_ values: KeyValuePairs<String, SQLiteValue>) throws {
        for (name, value) in values {
            let index = sqlite3_bind_parameter_index(handle, name)
            guard index > 0 else {
                throw SQLiteError(extendedCode: SQLITE_RANGE, message: "no parameter \(name)", sql: sql)
            }
            try bind(value, at: index)
        }
    }

    // MARK: Running

    /// Advances to the next row: `true` when a row is ready to read, `false` when done.
    @discardableResult
    public func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = Database.error(on: connection, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs the statement to completion, ignoring rows.
    public func run() throws {
        while try step() {}
    }

    // MARK: Reading columns (0-based, as in SQLite)

    public func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    public func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    public func int(_ column: Int32) -> Int {
        Int(sqlite3_column_int64(handle, column))
    }

    public func double(_ column: Int32) -> Double {
        sqlite3_column_double(handle, column)
    }

    public func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    public func optionalString(_ column: Int32) -> String? {
        isNull(column) ? nil : string(column)
    }

    public func optionalInt64(_ column: Int32) -> Int64? {
        isNull(column) ? nil : int64(column)
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw Database.error(on: connection, sql: sql) }
    }
}

/// A value to bind, for statements whose parameters are built at run time.
public enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

extension SQLiteValue {
    /// Text, or NULL for nil.
    public init(_ value: String?) {
        self = value.map(SQLiteValue.text) ?? .null
    }

    /// An integer, or NULL for nil.
    public init(_ value: Int64?) {
        self = value.map(SQLiteValue.integer) ?? .null
    }

    public init(_ value: Int) {
        self = .integer(Int64(value))
    }

    /// SQLite has no boolean type: 1 or 0.
    public init(_ value: Bool) {
        self = .integer(value ? 1 : 0)
    }
}
