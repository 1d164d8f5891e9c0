import CambSimulator
import Foundation
import Testing

// Shared helpers for the simulator tests.

/// Runs `body` against a freshly started simulator on an ephemeral port and always shuts
/// it down afterwards.
func withSimulator(
    _ simulator: CambSimulator = CambSimulator(),
    _ body: (CambSimulator) async throws -> Void
) async throws {
    try await simulator.start()
    do {
        try await body(simulator)
    } catch {
        try await simulator.shutdown()
        throw error
    }
    try await simulator.shutdown()
}

/// Decodes a status body into a dictionary for assertions.
func json(_ response: RawResponse) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(response.body))
    return try #require(object as? [String: Any])
}

/// The `status` field of a status body.
func statusOf(_ response: RawResponse) throws -> String? {
    try json(response)["status"] as? String
}
