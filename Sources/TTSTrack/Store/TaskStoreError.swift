/// Why the store refused to open or to work, in words an operator can act on.
public struct TaskStoreError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
