import TTSTrackWire
import Testing

@Suite struct TimestampTests {
    static let base = Timestamp(milliseconds: 1_700_000_000_000)

    @Test func addingMovesByWholeMilliseconds() {
        #expect(Self.base.adding(seconds: 1.5).rawValue == 1_700_000_001_500)
        #expect(Self.base.adding(seconds: -0.0004).rawValue == 1_700_000_000_000)
        #expect(Self.base.adding(seconds: 0.0006).seconds(since: Self.base) == 0.001)
    }

    @Test func addingSaturatesInsteadOfTrapping() {
        // Such offsets come only from settings no one means (`inf`, `1e300`); they must not trap.
        let far = Self.base.adding(seconds: .infinity)
        #expect(far > Self.base.adding(seconds: 1e12))
        #expect(Self.base.adding(seconds: 1e300) == far)
        #expect(Self.base.adding(seconds: -.infinity) < Self.base.adding(seconds: -1e12))
        #expect(Self.base.adding(seconds: .nan) == Self.base)
    }
}
