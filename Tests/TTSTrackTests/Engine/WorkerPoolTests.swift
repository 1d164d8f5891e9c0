import Testing

@testable import TTSTrack

/// The pool's limit moves with reloads, and the count in flight follows it both ways.
@Suite struct WorkerPoolTests {
    @Test func inFlightFollowsTheLimitDownAsItemsFinishAndUpAtOnce() {
        var pool = WorkerPool(limit: 16)
        for _ in 0..<16 { pool.started() }
        #expect(!pool.hasRoom && pool.mayContinue)
        pool.resize(to: 4)
        var givenUp = 0
        // Each finishing worker goes on only while the pool is within its limit.
        while !pool.mayContinue {
            pool.finished()
            givenUp += 1
        }
        #expect(givenUp == 12 && pool.inFlight == 4 && !pool.hasRoom)
        pool.resize(to: 32)
        var started = 0
        while pool.hasRoom {
            pool.started()
            started += 1
        }
        #expect(started == 28 && pool.inFlight == 32, "raised again: the full 32 run, not the 16 once started")
    }
}
