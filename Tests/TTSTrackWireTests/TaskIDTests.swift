import TTSTrackWire
import Testing

@Suite struct TaskIDTests {
    @Test(arguments: ["a", "A-z_0.9:x", String(repeating: "x", count: 128), "...", "a..b", "3f2b1c0e-uuid"])
    func acceptsValidIDs(id: String) {
        #expect(TaskID.problem(with: id) == nil)
    }

    @Test(arguments: [
        "", ".", "..", String(repeating: "x", count: 129), "a/b", "../etc", "a b", "a?b", "a%2F", "é", "a\nb", "a\0b",
        "a#b",
    ])
    func refusesInvalidIDs(id: String) {
        #expect(TaskID.problem(with: id) != nil)
    }
}
