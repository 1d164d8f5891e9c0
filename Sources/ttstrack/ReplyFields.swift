import TTSTrack

/// Typed, forgiving access to the fields of a reply or of a `Task` object: a missing, null or
/// differently typed field reads as `nil`, so replies from a newer daemon still render.
struct ReplyFields {
    let values: [String: JSONValue]

    init(_ values: [String: JSONValue]) { self.values = values }

    init(_ value: JSONValue) {
        if case .object(let members) = value { values = members } else { values = [:] }
    }

    subscript(name: String) -> JSONValue? { values[name] }

    func string(_ name: String) -> String? {
        if case .string(let value)? = values[name] { return value }
        return nil
    }

    func int(_ name: String) -> Int64? {
        switch values[name] {
        case .int(let value)?: value
        case .double(let value)? where value.rounded() == value && abs(value) < 9e15: Int64(value)
        default: nil
        }
    }

    func double(_ name: String) -> Double? {
        switch values[name] {
        case .int(let value)?: Double(value)
        case .double(let value)?: value
        default: nil
        }
    }

    func bool(_ name: String) -> Bool? {
        if case .bool(let value)? = values[name] { return value }
        return nil
    }

    func array(_ name: String) -> [JSONValue] {
        if case .array(let elements)? = values[name] { return elements }
        return []
    }

    func object(_ name: String) -> [String: JSONValue] {
        if case .object(let members)? = values[name] { return members }
        return [:]
    }

    /// The whole reply as one line of compact JSON (keys sorted).
    var jsonText: String { JSONValue.object(values).jsonText }
}
