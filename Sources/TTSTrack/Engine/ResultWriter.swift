/// Collects what work items came to (check results, result downloads) and hands them to the store in one transaction per tick
/// (sooner when many pile up). A batch that fails to commit is kept, in order, for the next try:
/// a result is dropped only when the daemon stops with the store still failing.
struct ResultWriter<Update: Sendable>: Sendable {
    /// Results written per transaction at most; more are written before the next tick.
    static var batchLimit: Int { 4096 }

    private var pending: [Update] = []

    var isEmpty: Bool { pending.isEmpty }
    var count: Int { pending.count }
    /// True when the results should not wait for the next tick.
    var isFull: Bool { pending.count >= Self.batchLimit }

    mutating func append(_ update: Update) {
        pending.append(update)
    }

    /// Everything pending, to commit now.
    mutating func takeBatch() -> [Update] {
        defer { pending = [] }
        return pending
    }

    /// A batch that did not commit goes back in front of what came since.
    mutating func restore(_ batch: [Update]) {
        pending = batch + pending
    }
}
