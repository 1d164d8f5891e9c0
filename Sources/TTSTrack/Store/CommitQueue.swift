import Synchronization

/// Group commit: requests that arrive while a commit runs wait, and the next commit takes them
/// all at once (up to `maxGroupWeight`), so many callers share one durable transaction.
///
/// Each caller returns only after the commit that holds its request has returned, with its own
/// reply; when that commit throws, every caller of the group gets the same error. `commit` must
/// answer one reply per request, in order, as if the requests had run one after another in
/// arrival order. A caller that is cancelled still waits for its group: the commit may already
/// be on its way to disk, and the reply must say what happened.
package final class CommitQueue<Request: Sendable, Reply: Sendable>: Sendable {
    package typealias Commit = @Sendable ([Request]) async throws -> [Reply]

    private struct Waiter {
        let request: Request
        let weight: Int
        let continuation: CheckedContinuation<Reply, any Error>
    }

    private enum State {
        /// No commit is running; nobody waits.
        case idle
        /// A drain task is committing; `waiting` arrived since its group was taken, oldest first.
        case committing(waiting: [Waiter])
    }

    private let state = Mutex(State.idle)
    private let maxGroupWeight: Int
    private let weight: @Sendable (Request) -> Int
    private let commit: Commit
    private let executor: (any TaskExecutor)?

    /// - Parameters:
    ///   - maxGroupWeight: the most one group holds (e.g. ids); a heavier single request still
    ///     commits, alone.
    ///   - weight: what a request counts towards `maxGroupWeight`.
    ///   - executor: where the drain runs: the committer's own (the store's writer queue), so
    ///     that handing each group over and back stays on that queue's thread; the cooperative
    ///     pool when nil.
    package init(
        maxGroupWeight: Int, weight: @escaping @Sendable (Request) -> Int, executor: (any TaskExecutor)? = nil,
        commit: @escaping Commit
    ) {
        self.maxGroupWeight = maxGroupWeight
        self.weight = weight
        self.executor = executor
        self.commit = commit
    }

    /// Queues `request` for the next commit and returns its reply once that commit returned.
    package func submit(_ request: Request) async throws -> Reply {
        let weight = weight(request)
        return try await withCheckedThrowingContinuation { continuation in
            let waiter = Waiter(request: request, weight: weight, continuation: continuation)
            let startDrain = state.withLock { state in
                switch state {
                case .idle:
                    state = .committing(waiting: [waiter])
                    return true
                case .committing(var waiting):
                    state = .idle  // released below; keeps `waiting` uniquely referenced
                    waiting.append(waiter)
                    state = .committing(waiting: waiting)
                    return false
                }
            }
            if startDrain { Task(executorPreference: executor) { await self.drain() } }
        }
    }

    /// Requests waiting for a commit that has not begun yet (for tests and diagnostics).
    package var waitingCount: Int {
        state.withLock { state in
            switch state {
            case .idle: 0
            case .committing(let waiting): waiting.count
            }
        }
    }

    /// Commits group after group until nobody waits, then goes idle. It yields between groups,
    /// so that others' work on the committer's executor (the scheduler's writes, queued there
    /// meanwhile) goes first and never waits behind a stream of groups, however the runtime
    /// hops between the drain's code and the committer.
    private func drain() async {
        while let group = takeGroup() {
            do {
                let replies = try await commit(group.map(\.request))
                precondition(replies.count == group.count, "one reply per request")
                for (waiter, reply) in zip(group, replies) { waiter.continuation.resume(returning: reply) }
            } catch {
                for waiter in group { waiter.continuation.resume(throwing: error) }
            }
            await Task.yield()
        }
    }

    /// The oldest waiters up to `maxGroupWeight` (at least one), or nil (and idle) when none wait.
    private func takeGroup() -> [Waiter]? {
        state.withLock { state in
            guard case .committing(var waiting) = state, !waiting.isEmpty else {
                state = .idle
                return nil
            }
            state = .idle
            var total = waiting[0].weight
            var count = 1
            while count < waiting.count, total + waiting[count].weight <= maxGroupWeight {
                total += waiting[count].weight
                count += 1
            }
            let group = Array(waiting.prefix(count))
            waiting.removeFirst(count)
            state = .committing(waiting: waiting)
            return group
        }
    }
}
