extension TaskReader {
    /// ``get(_:)`` and the seq of the newest change recorded, read in one transaction: the tasks
    /// exactly as of that seq, so a `Watch(since: seq)` opened afterwards replays every change
    /// the read did not see, and none is lost between the two.
    public func getWithSeq(_ ids: [String]) throws -> (tasks: [TrackedTask], seq: Int64) {
        try db.transaction(.deferred) { (try get(ids), try lastEventSeq()) }
    }

    /// ``list(status:kind:tag:limit:after:)`` and the seq it is as of, as ``getWithSeq(_:)``.
    public func listWithSeq(
        status: TaskStore.StatusFilter?, kind: String?, tag: String?, limit: Int, after: String?
    ) throws -> (tasks: [TrackedTask], seq: Int64) {
        try db.transaction(.deferred) {
            (try list(status: status, kind: kind, tag: tag, limit: limit, after: after), try lastEventSeq())
        }
    }
}
