/// Which events a `Wait` or a `Watch` wants: those of some ids, those of the tasks that carry a
/// tag, or both sets together (an event of either passes); every event when neither is given.
///
/// An event carries its task's tag, so a tag also lets through the events of tasks that were
/// added with it after the filter was made.
public struct EventFilter: Sendable, Hashable {
    public var ids: Set<String>?
    public var tag: String?

    public init(ids: Set<String>? = nil, tag: String? = nil) {
        self.ids = ids
        self.tag = tag
    }

    /// Every event.
    public static let all = EventFilter()

    public func matches(_ event: TaskEvent) -> Bool {
        if ids == nil && tag == nil { return true }
        if let ids, ids.contains(event.task.taskID) { return true }
        if let tag, event.task.tag == tag { return true }
        return false
    }
}
