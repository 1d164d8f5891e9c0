/// A Varlink error reply: a fully qualified error name and its parameters. Only the errors of
/// `org.varlink.service` are named here; an interface's own errors are built by that
/// interface's code from a name and parameters, so the transport knows none of them.
package struct VarlinkError: Error, Sendable, Equatable {
    package var name: String
    package var parameters: [String: JSONValue]

    package init(_ name: String, _ parameters: [String: JSONValue] = [:]) {
        self.name = name
        self.parameters = parameters
    }

    // org.varlink.service standard errors.
    package static func interfaceNotFound(_ interface: String) -> VarlinkError {
        VarlinkError("org.varlink.service.InterfaceNotFound", ["interface": .string(interface)])
    }
    package static func methodNotFound(_ method: String) -> VarlinkError {
        VarlinkError("org.varlink.service.MethodNotFound", ["method": .string(method)])
    }
    package static func methodNotImplemented(_ method: String) -> VarlinkError {
        VarlinkError("org.varlink.service.MethodNotImplemented", ["method": .string(method)])
    }
    package static func invalidParameter(_ parameter: String) -> VarlinkError {
        VarlinkError("org.varlink.service.InvalidParameter", ["parameter": .string(parameter)])
    }
    package static let expectedMore = VarlinkError("org.varlink.service.ExpectedMore")
    package static let permissionDenied = VarlinkError("org.varlink.service.PermissionDenied")
}
