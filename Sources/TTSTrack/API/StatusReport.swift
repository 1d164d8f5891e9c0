import TTSTrackWire

/// The API's answer to `GET /{kind}/{id}`, reduced to what the daemon keeps.
public struct StatusReport: Sendable, Hashable {
    /// Verbatim: the SDK types it as an open string, so unknown values are kept and polled on.
    public var status: String
    public var runID: Int64?
    /// `exception_reason`.
    public var reason: String?
    /// `message`; an object (or any non-string) is kept as its JSON text.
    public var message: String?

    public init(status: String, runID: Int64? = nil, reason: String? = nil, message: String? = nil) {
        self.status = status
        self.runID = runID
        self.reason = reason
        self.message = message
    }

    /// Why a 200 body could not be used: the check counts as failed and is retried.
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Parses the body of a 200 answer. Unknown fields are ignored; a missing or non-string
    /// `status`, a non-integer `run_id`, or `SUCCESS` without a `run_id` is malformed.
    public static func parse(_ body: some Collection<UInt8>) throws(Malformed) -> StatusReport {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw Malformed(description: "malformed JSON in status answer (\(error.reason))")
        }
        guard case .object(let fields) = document else {
            throw Malformed(description: "status answer is a JSON \(document.typeName), not an object")
        }
        guard case .string(let status)? = fields["status"], !status.isEmpty else {
            throw Malformed(description: "status answer has no string 'status'")
        }
        var runID: Int64?
        switch fields["run_id"] {
        case nil, .null?: runID = nil
        case .int(let value)?: runID = value
        case .double(let value)? where value.rounded() == value && abs(value) < 9e15: runID = Int64(value)
        case let other?: throw Malformed(description: "status answer has a \(other.typeName) 'run_id', not an integer")
        }
        if status == "SUCCESS" && runID == nil {
            throw Malformed(description: "status answer says SUCCESS without a run_id")
        }
        return StatusReport(
            status: status, runID: runID, reason: text(of: fields["exception_reason"]),
            message: text(of: fields["message"]))
    }

    private static func text(of value: JSONValue?) -> String? {
        switch value {
        case nil, .null?: nil
        case .string(let text)?: text
        case let other?: other.jsonText
        }
    }
}
