import TTSTrackWire
import Testing

@testable import TTSTrack

/// The feeder: due order, claims until released, the cursor over the store's due set.
@Suite struct DueFeederTests {
    let t0 = ContinuousClock.now

    func due(_ row: Int64, _ id: String) -> DueTask {
        DueTask(
            rowID: row, taskID: id, kind: "tts", status: .pending, addedAt: Timestamp(milliseconds: 0),
            nextCheckAt: Timestamp(milliseconds: row * 10))
    }

    @Test func aFullBatchMovesTheCursorAndAShortOneStartsOver() {
        var feeder = DueFeeder<DueTask>()
        let first = feeder.nextRead(limit: 2, now: t0)
        #expect(first.after == nil && first.excluding.isEmpty)
        feeder.accept([due(1, "a"), due(2, "b")], of: first)
        #expect(feeder.mayHaveDue, "a full batch: more may be due")
        let second = feeder.nextRead(limit: 2, now: t0)
        #expect(second.after == DueTask.Cursor(nextCheckAt: Timestamp(milliseconds: 20), rowID: 2))
        #expect(second.excluding == ["a", "b"])
        feeder.accept([due(3, "c")], of: second)
        #expect(!feeder.mayHaveDue, "a short batch: the due set was read to its end")
        #expect(feeder.nextRead(limit: 2, now: t0).after == nil, "and the next read starts over")
        #expect(
            [feeder.take(), feeder.take(), feeder.take(), feeder.take()].map { $0?.taskID } == ["a", "b", "c", nil])
    }

    @Test func theCursorStartsOverAtLeastEverySecond() {
        var feeder = DueFeeder<DueTask>()
        let read = feeder.nextRead(limit: 1, now: t0)
        feeder.accept([due(1, "a")], of: read)
        #expect(feeder.nextRead(limit: 1, now: t0 + .milliseconds(999)).after != nil)
        #expect(feeder.nextRead(limit: 1, now: t0 + .seconds(1)).after == nil)
    }

    @Test func aClaimedTaskIsNotHandedOutAgainUntilReleased() {
        var feeder = DueFeeder<DueTask>()
        let read = feeder.nextRead(limit: 10, now: t0)
        feeder.accept([due(1, "a")], of: read)
        feeder.accept([due(1, "a"), due(2, "b")], of: feeder.nextRead(limit: 10, now: t0))
        #expect(feeder.readyCount == 2, "a is queued once")
        _ = feeder.take()
        #expect(feeder.nextRead(limit: 10, now: t0).excluding.contains("a"), "in flight: still claimed")
        feeder.release("a")
        #expect(!feeder.nextRead(limit: 10, now: t0).excluding.contains("a"))
        #expect(feeder.claimedCount == 1)
    }

    @Test func aFailedReadWaitsForTimeToPass() {
        var feeder = DueFeeder<DueTask>()
        feeder.readFailed()
        #expect(!feeder.wantsRead(batchSize: 10))
        feeder.mayHaveMore()
        #expect(feeder.wantsRead(batchSize: 10))
    }
}
