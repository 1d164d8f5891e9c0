/// Validation of task ids, the one rule every entry point shares: 1 to 128
/// characters of `A-Z a-z 0-9 _ - . :`, and neither `.` nor `..`, so an id can never walk a path.
package enum TaskID {
    /// The longest id accepted.
    package static let maxLength = 128

    /// Why `id` is refused, or `nil` when it is a valid task id.
    package static func problem(with id: String) -> String? {
        let utf8 = id.utf8
        if utf8.isEmpty { return "empty" }
        if utf8.count > maxLength { return "longer than \(maxLength) characters" }
        if id == "." || id == ".." { return "'.' and '..' are not task ids" }
        for byte in utf8 where !isAllowed(byte) {
            if byte < 0x20 || byte == 0x7F { return "contains a control character" }
            if byte >= 0x80 { return "contains a non-ASCII character" }
            return "contains '\(Character(Unicode.Scalar(byte)))'; allowed are A-Z a-z 0-9 _ - . :"
        }
        return nil
    }

    @inline(__always)
    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"),
            UInt8(ascii: "."), UInt8(ascii: ":"):
            return true
        default:
            return false
        }
    }
}
