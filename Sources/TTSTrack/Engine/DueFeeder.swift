import DequeModule

/// Hands out due tasks in due order, each at most once until its result is written: reads the
/// store in batches after a cursor, and keeps the claims.
///
/// A task stays *claimed* from the moment it is read as due until its result is committed (or
/// it is released with nothing to write), so it is never checked twice at once. Tasks handed
/// out keep their old due time until their results commit, so they all lie before the cursor
/// and the next batch need not read past them; a task re-scheduled by a result lands after it.
struct DueFeeder<Item: DueItem>: Sendable {
    /// What to read from the store next.
    struct Read: Sendable, Equatable {
        var limit: Int
        var after: DueTask.Cursor?
        var excluding: Set<String>
    }

    private var ready = Deque<Item>()
    private var claimed = Set<String>()
    /// Where the last full batch ended; nil after a short batch (the due set was read to its
    /// end), so the next read starts over from the oldest due.
    private var cursor: DueTask.Cursor?
    /// When the cursor last started over. It does so at least every second, so a task that
    /// lands before it anyway (a cancelled check, a clock stepped back) waits a second at most.
    private var cursorStartedAt: ContinuousClock.Instant?
    /// False after a short read: nothing more is due until time passes or results are written.
    private(set) var mayHaveDue = true

    var readyCount: Int { ready.count }
    var claimedCount: Int { claimed.count }

    /// True when a read is worth making: few tasks ready, and more may be due.
    func wantsRead(batchSize: Int) -> Bool {
        mayHaveDue && ready.count < max(1, batchSize / 2)
    }

    /// The next read; starts over from the oldest due at least every second.
    mutating func nextRead(limit: Int, now: ContinuousClock.Instant) -> Read {
        if let started = cursorStartedAt, now - started >= .seconds(1) { cursor = nil }
        if cursor == nil { cursorStartedAt = now }
        return Read(limit: limit, after: cursor, excluding: claimed)
    }

    /// Takes what a read returned: claims it and queues it behind what is ready.
    mutating func accept(_ due: [Item], of read: Read) {
        for task in due where claimed.insert(task.taskID).inserted {
            ready.append(task)
        }
        cursor = due.count >= read.limit ? due.last?.cursor : nil
        mayHaveDue = due.count >= read.limit
    }

    /// A read failed: nothing more is read before time passes.
    mutating func readFailed() {
        mayHaveDue = false
    }

    /// Time passed (a tick), or results were written: more may be due.
    mutating func mayHaveMore() {
        mayHaveDue = true
    }

    /// Orders what is ready by `urgency`, highest first (ties keep their due order): when more
    /// is due than the rate allows, the likeliest finished go first.
    mutating func rank(by urgency: (Item) -> Double) {
        guard ready.count > 1 else { return }
        let ranked = ready.enumerated().map { (urgency: urgency($0.element), index: $0.offset, item: $0.element) }
            .sorted { $0.urgency != $1.urgency ? $0.urgency > $1.urgency : $0.index < $1.index }
        ready = Deque(ranked.map(\.item))
    }

    /// The first ready task: the oldest due, unless ``rank(by:)`` ordered them otherwise.
    mutating func take() -> Item? {
        ready.popFirst()
    }

    var hasReady: Bool { !ready.isEmpty }

    /// The task's result is committed, or there was nothing to write: it may be handed out again.
    mutating func release(_ taskID: String) {
        claimed.remove(taskID)
    }
}

/// Work that is due in the store in (due time, row) order: a status check, a result download.
protocol DueItem: Sendable {
    var taskID: String { get }
    /// Its position in due order.
    var cursor: DueTask.Cursor { get }
}

extension DueTask: DueItem {}

extension DueResult: DueItem {
    var cursor: DueTask.Cursor { DueTask.Cursor(nextCheckAt: dueAt, rowID: rowID) }
}
