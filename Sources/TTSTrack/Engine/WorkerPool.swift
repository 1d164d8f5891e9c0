/// How many items of one kind of work run at once: a limit that a reload may move either way,
/// and the count in flight, which follows it: up at once, down as items finish.
struct WorkerPool: Sendable, Equatable {
    private(set) var limit: Int
    private(set) var inFlight = 0

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// True when another item may start.
    var hasRoom: Bool { inFlight < limit }

    /// A reload moved the limit; in-flight items are not disturbed.
    mutating func resize(to limit: Int) {
        self.limit = max(1, limit)
    }

    mutating func started() {
        inFlight += 1
    }

    mutating func finished() {
        precondition(inFlight > 0, "an item finished that never started")
        inFlight -= 1
    }

    /// A worker that just finished an item may go straight on with the next one only while the
    /// pool is within its limit: after the limit was lowered, it gives its slot up instead.
    var mayContinue: Bool { inFlight <= limit }
}
