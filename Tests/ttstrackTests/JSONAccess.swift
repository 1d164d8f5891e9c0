import TTSTrack
import TTSTrackWire

/// Small readers for the JSON the CLI prints; a wrong shape reads as nil/empty and fails the
/// assertion that uses it.
enum JSONAccess {
    static func array(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let elements)? = value { return elements }
        return []
    }

    static func int(_ value: JSONValue?) -> Int64? {
        if case .int(let number)? = value { return number }
        return nil
    }

    static func bool(_ value: JSONValue?) -> Bool? {
        if case .bool(let flag)? = value { return flag }
        return nil
    }

    static func object(_ value: JSONValue?) -> [String: JSONValue] {
        if case .object(let members)? = value { return members }
        return [:]
    }

    /// The `tasks` array of a reply document.
    static func tasks(_ document: JSONValue) -> [JSONValue] { array(document["tasks"]) }
}
