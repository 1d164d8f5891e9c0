package import TTSTrackWire

/// How a method answers its call: one reply, a series (`continues`), or an error. For a
/// `oneway` call every reply is dropped.
public struct VarlinkResponder: Sendable {
    let send: @Sendable ([UInt8]) async throws -> Void
    let oneway: Bool
    /// Ends when the client hangs up; `Watch` races its events against it.
    public let hangUp: HangUpSignal
    /// Ends when the connection is gone, not when the client merely stops sending; `Wait` races
    /// against it, so a waiter that was killed does not hold its connection until its tasks end.
    public let closed: HangUpSignal

    public init(
        oneway: Bool, hangUp: HangUpSignal, closed: HangUpSignal,
        send: @escaping @Sendable ([UInt8]) async throws -> Void
    ) {
        self.send = send
        self.oneway = oneway
        self.hangUp = hangUp
        self.closed = closed
    }

    package func reply(_ parameters: [String: JSONValue], continues: Bool = false) async throws {
        guard !oneway else { return }
        try await send(VarlinkReply.encode(parameters: parameters, continues: continues))
    }

    package func fail(_ error: VarlinkError) async throws {
        guard !oneway else { return }
        try await send(VarlinkReply.encode(error: error))
    }
}
