/// One decoded Varlink call.
package struct VarlinkCall: Sendable {
    /// Fully qualified, e.g. `io.ttstrack.Tracker.Add`.
    package var method: String
    package var parameters: [String: JSONValue]
    package var more: Bool
    package var oneway: Bool

    package init(method: String, parameters: [String: JSONValue] = [:], more: Bool = false, oneway: Bool = false) {
        self.method = method
        self.parameters = parameters
        self.more = more
        self.oneway = oneway
    }

    /// The interface part of `method`.
    package var interface: String {
        guard let dot = method.lastIndex(of: ".") else { return "" }
        return String(method[..<dot])
    }

    /// The method's own name.
    package var name: String {
        guard let dot = method.lastIndex(of: ".") else { return method }
        return String(method[method.index(after: dot)...])
    }

    /// Why a message is not a call at all: the connection is closed.
    package struct ProtocolViolation: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    /// The call in a message, or an error reply when the message is a call with broken fields.
    package static func decode(
        _ bytes: some Collection<UInt8>
    ) throws(ProtocolViolation) -> Result<VarlinkCall, VarlinkError> {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw ProtocolViolation(description: error.description)
        }
        guard case .object(let fields) = document else {
            throw ProtocolViolation(description: "message is a JSON \(document.typeName), not an object")
        }
        guard case .string(let method)? = fields["method"], !method.isEmpty else {
            throw ProtocolViolation(description: "message has no string 'method'")
        }
        var call = VarlinkCall(method: method)
        switch fields["parameters"] {
        case nil, .null?: break
        case .object(let parameters)?: call.parameters = parameters
        case .some: return .failure(.invalidParameter("parameters"))
        }
        for flag in ["more", "oneway", "upgrade"] {
            switch fields[flag] {
            case nil, .null?, .bool(false)?: break
            case .bool(true)?:
                if flag == "more" { call.more = true }
                if flag == "oneway" { call.oneway = true }
                if flag == "upgrade" { return .failure(.invalidParameter("upgrade")) }
            case .some: return .failure(.invalidParameter(flag))
            }
        }
        return .success(call)
    }
}
