/// What one `Add` call came to: how many of its ids were new and how many already tracked.
public struct AddCounts: Sendable, Hashable {
    public var added: Int
    public var existing: Int

    public init(added: Int, existing: Int) {
        self.added = added
        self.existing = existing
    }
}
