/// One `Add` call as validated: what the store needs to start tracking its ids. Carried whole
/// from the control interface to the store, so a new field of `Add` is one more property here.
public struct AddRequest: Sendable, Hashable {
    /// Task ids in the order given; duplicates count once, the repeats as existing.
    public var ids: [String]
    /// The task kind (`tts`, `dub`, …), already checked against the known kinds.
    public var kind: String
    /// Put on the new ids; one already tracked keeps the tag it has (or none).
    public var tag: String?

    public init(ids: [String], kind: String, tag: String? = nil) {
        self.ids = ids
        self.kind = kind
        self.tag = tag
    }
}
