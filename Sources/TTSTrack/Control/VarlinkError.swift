/// A Varlink error reply: a fully qualified error name and its parameters.
public struct VarlinkError: Error, Sendable, Equatable {
    public var name: String
    public var parameters: [String: JSONValue]

    public init(_ name: String, _ parameters: [String: JSONValue] = [:]) {
        self.name = name
        self.parameters = parameters
    }

    // org.varlink.service standard errors.
    public static func interfaceNotFound(_ interface: String) -> VarlinkError {
        VarlinkError("org.varlink.service.InterfaceNotFound", ["interface": .string(interface)])
    }
    public static func methodNotFound(_ method: String) -> VarlinkError {
        VarlinkError("org.varlink.service.MethodNotFound", ["method": .string(method)])
    }
    public static func methodNotImplemented(_ method: String) -> VarlinkError {
        VarlinkError("org.varlink.service.MethodNotImplemented", ["method": .string(method)])
    }
    public static func invalidParameter(_ parameter: String) -> VarlinkError {
        VarlinkError("org.varlink.service.InvalidParameter", ["parameter": .string(parameter)])
    }
    public static let expectedMore = VarlinkError("org.varlink.service.ExpectedMore")
    public static let permissionDenied = VarlinkError("org.varlink.service.PermissionDenied")

    // io.ttstrack.Tracker errors.
    public static func invalidTaskID(_ id: String, reason: String) -> VarlinkError {
        VarlinkError("io.ttstrack.Tracker.InvalidTaskId", ["task_id": .string(id), "reason": .string(reason)])
    }
    public static func tooManyIDs(max: Int) -> VarlinkError {
        VarlinkError("io.ttstrack.Tracker.TooManyIds", ["max": .int(Int64(max))])
    }
    public static func unknownKind(_ kind: String) -> VarlinkError {
        VarlinkError("io.ttstrack.Tracker.UnknownKind", ["kind": .string(kind)])
    }
    public static func storeUnavailable(_ reason: String) -> VarlinkError {
        VarlinkError("io.ttstrack.Tracker.StoreUnavailable", ["reason": .string(reason)])
    }
    public static func watchOverflow(max: Int) -> VarlinkError {
        VarlinkError("io.ttstrack.Tracker.WatchOverflow", ["max": .int(Int64(max))])
    }
}
