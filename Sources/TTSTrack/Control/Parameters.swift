/// Typed access to a call's parameters: a wrong type or a missing required parameter is an
/// `InvalidParameter` error naming it; unknown parameters are ignored.
public struct Parameters: Sendable {
    public let values: [String: JSONValue]

    public init(_ values: [String: JSONValue]) { self.values = values }

    private func present(_ name: String) -> JSONValue? {
        switch values[name] {
        case nil, .null?: nil
        case let value?: value
        }
    }

    public func stringArray(_ name: String) throws(VarlinkError) -> [String] {
        guard let value = present(name) else { throw .invalidParameter(name) }
        return try stringArray(value, name)
    }

    public func optionalStringArray(_ name: String) throws(VarlinkError) -> [String]? {
        guard let value = present(name) else { return nil }
        return try stringArray(value, name)
    }

    private func stringArray(_ value: JSONValue, _ name: String) throws(VarlinkError) -> [String] {
        guard case .array(let elements) = value else { throw .invalidParameter(name) }
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for element in elements {
            guard case .string(let text) = element else { throw .invalidParameter(name) }
            strings.append(text)
        }
        return strings
    }

    public func optionalString(_ name: String) throws(VarlinkError) -> String? {
        guard let value = present(name) else { return nil }
        guard case .string(let text) = value else { throw .invalidParameter(name) }
        return text
    }

    public func string(_ name: String) throws(VarlinkError) -> String {
        guard let text = try optionalString(name) else { throw .invalidParameter(name) }
        return text
    }

    public func optionalInt(_ name: String) throws(VarlinkError) -> Int64? {
        guard let value = present(name) else { return nil }
        switch value {
        case .int(let number): return number
        case .double(let number) where number.rounded() == number && abs(number) < 9e15: return Int64(number)
        default: throw .invalidParameter(name)
        }
    }

    public func optionalDouble(_ name: String) throws(VarlinkError) -> Double? {
        guard let value = present(name) else { return nil }
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: throw .invalidParameter(name)
        }
    }
}
