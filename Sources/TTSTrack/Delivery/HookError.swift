/// A hook could not be started: the reason, in words, for the log and the delivery's error.
struct HookError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
