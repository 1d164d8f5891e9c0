/// A program's or a server's output as one log value: the first bytes, decoded leniently, with
/// line breaks and other control characters escaped so a log line stays one line.
enum LogExcerpt {
    static func text(_ bytes: [UInt8], limit: Int = 512) -> String? {
        var text = ""
        for scalar in String(decoding: bytes.prefix(limit), as: UTF8.self).unicodeScalars {
            switch scalar {
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: text += "?"
            default: text.unicodeScalars.append(scalar)
            }
        }
        while text.hasSuffix("\\n") { text.removeLast(2) }
        if text.isEmpty { return nil }
        return bytes.count > limit ? text + "…" : text
    }
}
