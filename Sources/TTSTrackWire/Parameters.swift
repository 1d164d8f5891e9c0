/// Typed access to a call's parameters: a wrong type or a missing required parameter is an
/// `InvalidParameter` error naming it; unknown parameters are ignored.
package struct Parameters: Sendable {
    package let values: [String: JSONValue]

    package init(_ values: [String: JSONValue]) { self.values = values }

    private func present(_ name: String) -> JSONValue? {
        switch values[name] {
        case nil, .null?: nil
        case let value?: value
        }
    }

    package func stringArray(_ name: String) throws(VarlinkError) -> [String] {
        guard let value = present(name) else { throw .invalidParameter(name) }
        return try stringArray(value, name)
    }

    package func optionalStringArray(_ name: String) throws(VarlinkError) -> [String]? {
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

    package func optionalString(_ name: String) throws(VarlinkError) -> String? {
        guard let value = present(name) else { return nil }
        guard case .string(let text) = value else { throw .invalidParameter(name) }
        return text
    }

    package func string(_ name: String) throws(VarlinkError) -> String {
        guard let text = try optionalString(name) else { throw .invalidParameter(name) }
        return text
    }

    package func optionalInt(_ name: String) throws(VarlinkError) -> Int64? {
        guard let value = present(name) else { return nil }
        guard let number = value.integerValue else { throw .invalidParameter(name) }
        return number
    }

    package func optionalDouble(_ name: String) throws(VarlinkError) -> Double? {
        guard let value = present(name) else { return nil }
        guard let number = value.doubleValue else { throw .invalidParameter(name) }
        return number
    }
}
