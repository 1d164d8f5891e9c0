import TTSTrack
import TTSTrackWire
import Testing

@Suite struct RetryAfterTests {
    let now = Timestamp(milliseconds: 1_445_412_480_000)  // Wed, 21 Oct 2015 07:28:00 GMT

    @Test func readsSeconds() {
        #expect(RetryAfter.seconds(retryAfter: "7", retryAfterMs: nil, now: now) == 7)
    }

    @Test func prefersMilliseconds() {
        #expect(RetryAfter.seconds(retryAfter: "7", retryAfterMs: "250", now: now) == 0.25)
    }

    @Test func readsHTTPDates() {
        #expect(RetryAfter.seconds(retryAfter: "Wed, 21 Oct 2015 07:28:30 GMT", retryAfterMs: nil, now: now) == 30)
        #expect(RetryAfter.seconds(retryAfter: "Wed, 21 Oct 2015 07:27:00 GMT", retryAfterMs: nil, now: now) == 0)
    }

    @Test func ignoresGarbage() {
        #expect(RetryAfter.seconds(retryAfter: "soon", retryAfterMs: "x", now: now) == nil)
        #expect(RetryAfter.seconds(retryAfter: nil, retryAfterMs: nil, now: now) == nil)
    }
}
