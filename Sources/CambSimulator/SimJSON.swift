import NIOCore

/// Hand-rolled JSON encoding of the few response shapes the simulator emits, writing
/// straight into a `ByteBuffer` (no `JSONEncoder`, no intermediate `String`).
enum SimJSON {
    /// `{"status": …, "run_id": …, "exception_reason": …, "message": …}` in the key order
    /// and spacing Python's `json.dumps` produces.
    static func status(
        _ status: String,
        runID: Int?,
        reason: String?,
        message: SimMessage?,
        extraFields: Bool,
        into buffer: inout ByteBuffer
    ) {
        buffer.writeStaticString(#"{"status": "#)
        writeString(status, into: &buffer)
        buffer.writeStaticString(#", "run_id": "#)
        if let runID { buffer.writeString(String(runID)) } else { buffer.writeStaticString("null") }
        buffer.writeStaticString(#", "exception_reason": "#)
        if let reason { writeString(reason, into: &buffer) } else { buffer.writeStaticString("null") }
        buffer.writeStaticString(#", "message": "#)
        switch message {
        case nil:
            buffer.writeStaticString("null")
        case .string(let text):
            writeString(text, into: &buffer)
        case .object(let fields):
            buffer.writeStaticString("{")
            var first = true
            for key in fields.keys.sorted() {
                if !first { buffer.writeStaticString(", ") }
                first = false
                writeString(key, into: &buffer)
                buffer.writeStaticString(": ")
                writeString(fields[key] ?? "", into: &buffer)
            }
            buffer.writeStaticString("}")
        }
        if extraFields {
            buffer.writeStaticString(
                #", "progress": 0.5, "meta": {"engine": "camb-sim", "attempt": 1, "tags": ["a", "b"]}, "eta_seconds": null"#
            )
        }
        buffer.writeStaticString("}")
    }

    /// `{"output_url": "<url>", "file_url": "<url>"}`: the API's name, and the one older
    /// clients read.
    static func fileURL(_ url: String, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"output_url": "#)
        writeString(url, into: &buffer)
        buffer.writeStaticString(#", "file_url": "#)
        writeString(url, into: &buffer)
        buffer.writeStaticString("}")
    }

    /// A quoted, escaped JSON string.
    static func writeString(_ string: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        let needsEscape = string.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        if !needsEscape {
            buffer.writeString(string)
        } else {
            for byte in string.utf8 {
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString(#"\""#)
                case UInt8(ascii: "\\"): buffer.writeStaticString(#"\\"#)
                case UInt8(ascii: "\n"): buffer.writeStaticString(#"\n"#)
                case UInt8(ascii: "\r"): buffer.writeStaticString(#"\r"#)
                case UInt8(ascii: "\t"): buffer.writeStaticString(#"\t"#)
                case 0..<0x20:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    buffer.writeStaticString(#"\u00"#)
                    buffer.writeInteger(hex[Int(byte >> 4)])
                    buffer.writeInteger(hex[Int(byte & 0xF)])
                default:
                    buffer.writeInteger(byte)
                }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
