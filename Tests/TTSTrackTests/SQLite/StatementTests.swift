import TTSTrack
import Testing

/// Text goes into SQLite and comes back byte for byte, whatever it holds.
@Suite struct StatementTests {
    @Test(arguments: ["x\u{0}y", "", "\u{0}", "plain", "ünïcödé 🎧"])
    func textRoundTripsWithWhatItHolds(_ text: String) throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (v TEXT)")
        let insert = try db.prepare("INSERT INTO t (v) VALUES (?1)")
        try insert.bind(text, at: 1)
        try insert.run()
        let select = try db.prepare("SELECT v, v IS NULL FROM t")
        #expect(try select.step())
        #expect(select.string(0) == text)
        #expect(select.int64(1) == 0, "an empty text is not NULL")
    }
}
