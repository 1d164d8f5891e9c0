import TTSTrackWire

/// Short reads of reply values, so assertions stay one line each.
extension JSONValue {
    var int: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }
    var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }
    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}

/// A list of task ids as a call parameter.
func ids(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
