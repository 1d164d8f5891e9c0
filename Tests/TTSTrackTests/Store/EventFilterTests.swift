import TTSTrack
import Testing

/// Which events a Wait or a Watch lets through.
@Suite struct EventFilterTests {
    static func event(_ id: String, tag: String?) -> TaskEvent {
        TaskEvent(seq: 1, task: TrackedTask(taskID: id, kind: "tts", status: .pending, terminal: false, tag: tag))
    }

    @Test func idsAndTagTogetherLetTheEventsOfEitherThrough() {
        let filter = EventFilter(ids: ["a"], tag: "t")
        #expect(filter.matches(Self.event("a", tag: nil)))
        #expect(filter.matches(Self.event("b", tag: "t")))
        #expect(!filter.matches(Self.event("b", tag: "u")))
        #expect(!filter.matches(Self.event("b", tag: nil)))
    }

    @Test func aTagAloneOrIdsAloneOrNeither() {
        #expect(EventFilter(tag: "t").matches(Self.event("x", tag: "t")))
        #expect(!EventFilter(tag: "t").matches(Self.event("x", tag: nil)))
        #expect(!EventFilter(ids: [], tag: nil).matches(Self.event("x", tag: "t")), "no ids: nothing")
        #expect(EventFilter(ids: ["x"]).matches(Self.event("x", tag: "t")))
        #expect(EventFilter.all.matches(Self.event("x", tag: nil)))
    }
}
