/// A recorded status change: what `Watch` delivers, and what wakes `Wait`.
public struct TaskEvent: Sendable, Hashable {
    /// Increases by one with every change the store records; a cursor for `Watch(since:)`.
    public var seq: Int64
    public var task: TrackedTask

    public init(seq: Int64, task: TrackedTask) {
        self.seq = seq
        self.task = task
    }
}
