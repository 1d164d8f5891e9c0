/// Tasks as one read saw them, and where the daemon's change log stood then: pass ``seq`` to
/// ``TrackerClient/watch(ids:tag:since:)`` to follow the tasks from exactly that state on.
public struct TrackerSnapshot: Sendable, Hashable {
    public var tasks: [TrackerTask]
    /// The newest change recorded when the tasks were read; nil from a daemon that does not say.
    public var seq: Int64?

    public init(tasks: [TrackerTask], seq: Int64?) {
        self.tasks = tasks
        self.seq = seq
    }
}
