/// The URL a task's status is polled at. The id is percent-encoded, never placed raw into the
/// path, so an id can never change which endpoint is asked; kept apart from the client so the fuzzer can exercise it alone.
public enum StatusURL {
    /// `{base}/{kind}/{escaped id}`.
    public static func make(baseURL: String, kind: String, taskID: String) -> String {
        var base = Substring(baseURL)
        while base.last == "/" { base.removeLast() }
        return "\(base)/\(percentEncoded(kind))/\(percentEncoded(taskID))"
    }

    /// Encodes everything but RFC 3986 unreserved characters.
    public static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
