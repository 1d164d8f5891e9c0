import TTSTrackWire
import Testing

@Suite struct TaskTagTests {
    @Test(arguments: ["a", "book-7:chapter_2.v1", String(repeating: "x", count: 64), ".", "..", "2026-12-01T12:00"])
    func acceptsValidTags(tag: String) {
        #expect(TaskTag.problem(with: tag) == nil)
    }

    @Test(arguments: [
        ("", "empty"), (String(repeating: "x", count: 65), "longer than 64 characters"),
        ("a/b", "contains '/'"), ("a b", "contains ' '"), ("é", "non-ASCII"), ("a\tb", "control character"),
        ("a,b", "contains ','"),
    ])
    func refusesInvalidTags(tag: String, why: String) {
        let problem = TaskTag.problem(with: tag)
        #expect(problem?.contains(why) == true, "\(String(describing: problem))")
    }
}
