/// Encoding of replies: one JSON object followed by a NUL byte.
package enum VarlinkReply {
    package static func encode(parameters: [String: JSONValue], continues: Bool = false) -> [UInt8] {
        var object: [String: JSONValue] = ["parameters": .object(parameters)]
        if continues { object["continues"] = .bool(true) }
        return frame(.object(object))
    }

    package static func encode(error: VarlinkError) -> [UInt8] {
        frame(.object(["error": .string(error.name), "parameters": .object(error.parameters)]))
    }

    package static func frame(_ value: JSONValue) -> [UInt8] {
        var bytes: [UInt8] = []
        value.write(to: &bytes)
        bytes.append(0)
        return bytes
    }
}
