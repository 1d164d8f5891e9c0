import Foundation
import TTSTrackTestSupport
import Testing

@testable import TTSTrack

/// Polling threads run nicer than the rest: the call changes its own thread and no other.
@Suite struct ThreadPriorityTests {
    /// Field 19 of /proc/thread-self/stat: the thread's nice value.
    static func currentThreadNice() -> Int? {
        guard let fields = ProcFS.statFields("/proc/thread-self/stat"), fields.count > 16 else { return nil }
        return Int(fields[16])
    }

    @Test func makesOnlyTheCallingThreadNicer() async throws {
        let before = try #require(Self.currentThreadNice())
        let (changed, niceThere) = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let changed = ThreadPriority.makeCurrentThreadNicer(Int32(before + 3))
                continuation.resume(returning: (changed, Self.currentThreadNice()))
            }
        }
        #expect(changed)
        #expect(niceThere == before + 3, "the calling thread is nicer")
        #expect(Self.currentThreadNice() == before, "other threads are not")
    }
}
