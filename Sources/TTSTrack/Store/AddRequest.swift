/// One `Add` call as validated: what the store needs to start tracking its ids. Carried whole
/// from the control interface to the store, so a new field of `Add` is one more property here.
public struct AddRequest: Sendable, Hashable {
    /// Task ids in the order given; duplicates count once, the repeats as existing.
    public var ids: [String]
    /// The task kind (`tts`, `dub`, …), already checked against the known kinds.
    public var kind: String

    public init(ids: [String], kind: String) {
        self.ids = ids
        self.kind = kind
    }
}
