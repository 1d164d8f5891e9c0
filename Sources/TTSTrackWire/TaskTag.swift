/// Validation of tags, the one rule every entry point shares: 1 to 64 characters of
/// `A-Z a-z 0-9 _ - . :`, the characters of task ids. A tag names a batch of tasks (the
/// segments of one long text, one job of a program); it is never part of a path or a URL.
package enum TaskTag {
    /// The longest tag accepted.
    package static let maxLength = 64

    /// Why `tag` is refused, or `nil` when it is a valid tag.
    package static func problem(with tag: String) -> String? {
        let utf8 = tag.utf8
        if utf8.isEmpty { return "empty" }
        for byte in utf8 where !TaskID.isAllowed(byte) {
            if byte < 0x20 || byte == 0x7F { return "contains a control character" }
            if byte >= 0x80 { return "contains a non-ASCII character" }
            return "contains '\(Character(Unicode.Scalar(byte)))'; allowed are A-Z a-z 0-9 _ - . :"
        }
        if utf8.count > maxLength { return "longer than \(maxLength) characters" }
        return nil
    }
}
