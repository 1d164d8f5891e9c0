import Synchronization
import Testing

@testable import TTSTrack

/// Group commit: calls that arrive while a commit runs share the next one, each gets its own
/// reply in arrival order and only once its group is committed; a failed commit fails its
/// whole group and nothing else. A fake commit stands in for the store, and the test decides
/// when each commit returns, so nothing sleeps.
@Suite(.timeLimit(.minutes(1))) struct CommitQueueTests {
    struct Failure: Error, Equatable {
        let reason: String
    }

    /// A store stand-in: ids committed so far, each commit held until the test releases it.
    final class FakeStore: Sendable {
        let started: AsyncStream<[[String]]>
        private let startedContinuation: AsyncStream<[[String]]>.Continuation
        private let gate = Turnstile()
        private let stored = Mutex<Set<String>>([])

        init() {
            (started, startedContinuation) = AsyncStream.makeStream()
        }

        /// Counts each request as if it ran alone after the ones before it.
        func commit(_ group: [[String]]) async throws -> [AddCounts] {
            startedContinuation.yield(group)
            if let failure = await gate.pass() { throw failure }
            return stored.withLock { stored in
                group.map { ids in
                    let added = ids.filter { stored.insert($0).inserted }.count
                    return AddCounts(added: added, existing: ids.count - added)
                }
            }
        }

        func release(failing failure: Failure? = nil) async { await gate.release(failure) }

        func holds(_ ids: [String]) -> Bool { stored.withLock { Set(ids).isSubset(of: $0) } }
    }

    /// Hands out one outcome per commit, in order; a commit waits until its outcome is given.
    actor Turnstile {
        private var released: [Failure?] = []
        private var waiter: CheckedContinuation<Failure?, Never>?

        func pass() async -> Failure? {
            if !released.isEmpty { return released.removeFirst() }
            return await withCheckedContinuation { waiter = $0 }
        }

        func release(_ outcome: Failure?) {
            if let waiter {
                self.waiter = nil
                waiter.resume(returning: outcome)
            } else {
                released.append(outcome)
            }
        }
    }

    func makeQueue(_ store: FakeStore, maxIDs: Int = 100) -> CommitQueue<[String], AddCounts> {
        CommitQueue(maxGroupWeight: maxIDs, weight: { $0.count }) { group in try await store.commit(group) }
    }

    /// Submits `ids` in a task of its own; the task checks the ids are stored once it returns.
    func submit(
        _ ids: [String], to queue: CommitQueue<[String], AddCounts>, _ store: FakeStore
    ) -> Task<AddCounts, any Error> {
        Task {
            let counts = try await queue.submit(ids)
            #expect(store.holds(ids), "replied only after the commit holding \(ids) returned")
            return counts
        }
    }

    /// Submits each call only once the one before it waits, so arrival order is known.
    func queueUp(
        _ calls: [[String]], to queue: CommitQueue<[String], AddCounts>, _ store: FakeStore
    ) async -> [Task<AddCounts, any Error>] {
        var tasks: [Task<AddCounts, any Error>] = []
        for (index, ids) in calls.enumerated() {
            tasks.append(submit(ids, to: queue, store))
            while queue.waitingCount < index + 1 { await Task.yield() }
        }
        return tasks
    }

    @Test func callsArrivingDuringACommitShareTheNextWithTheirOwnCountsInArrivalOrder() async throws {
        let store = FakeStore()
        let queue = makeQueue(store)
        var commits = store.started.makeAsyncIterator()
        let first = submit(["a"], to: queue, store)
        #expect(await commits.next() == [["a"]])
        let waiting = await queueUp([["b", "x"], ["x"], ["a"], ["c", "c"]], to: queue, store)
        await store.release()
        #expect(try await first.value == AddCounts(added: 1, existing: 0))
        #expect(await commits.next() == [["b", "x"], ["x"], ["a"], ["c", "c"]], "one commit for all four")
        await store.release()
        var counts: [AddCounts] = []
        for task in waiting { counts.append(try await task.value) }
        #expect(
            counts == [
                AddCounts(added: 2, existing: 0), AddCounts(added: 0, existing: 1), AddCounts(added: 0, existing: 1),
                AddCounts(added: 1, existing: 1),
            ])
        #expect(queue.waitingCount == 0)
    }

    @Test func aFailedCommitFailsEveryCallOfItsGroupAlikeAndTheNextGroupCommits() async throws {
        let store = FakeStore()
        let queue = makeQueue(store)
        var commits = store.started.makeAsyncIterator()
        let first = submit(["ok-1"], to: queue, store)
        #expect(await commits.next() == [["ok-1"]])
        let doomed = await queueUp([["bad-1"], ["bad-2", "bad-3"]], to: queue, store)
        await store.release()
        _ = try await first.value
        #expect(await commits.next() == [["bad-1"], ["bad-2", "bad-3"]])
        let later = submit(["ok-2"], to: queue, store)
        while queue.waitingCount < 1 { await Task.yield() }
        await store.release(failing: Failure(reason: "disk full"))
        for task in doomed {
            await #expect(throws: Failure(reason: "disk full")) { try await task.value }
        }
        #expect(!store.holds(["bad-1"]) && !store.holds(["bad-2"]), "nothing of the failed group is stored")
        #expect(await commits.next() == [["ok-2"]])
        await store.release()
        #expect(try await later.value == AddCounts(added: 1, existing: 0))
    }

    @Test func aGroupHoldsAtMostTheCapAndAHeavierCallCommitsAlone() async throws {
        let store = FakeStore()
        let queue = makeQueue(store, maxIDs: 3)
        var commits = store.started.makeAsyncIterator()
        let first = submit(["first"], to: queue, store)
        #expect(await commits.next() == [["first"]])
        let waiting = await queueUp(
            [["b1", "b2"], ["c1", "c2"], ["d1"], ["e1", "e2", "e3", "e4", "e5"], ["f1"]], to: queue, store)
        for _ in 0..<5 { await store.release() }
        _ = try await first.value
        #expect(await commits.next() == [["b1", "b2"]])
        #expect(await commits.next() == [["c1", "c2"], ["d1"]])
        #expect(await commits.next() == [["e1", "e2", "e3", "e4", "e5"]])
        #expect(await commits.next() == [["f1"]])
        for task in waiting { #expect(try await task.value.existing == 0) }
    }
}
