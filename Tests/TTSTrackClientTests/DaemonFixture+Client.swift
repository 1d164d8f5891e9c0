import TTSTrackClient
import TTSTrackTestSupport

extension DaemonFixture {
    /// A library client connected to the fixture's daemon. Here, not in the test support,
    /// so that the support does not depend on the library it helps to test.
    func client() async throws -> TrackerClient {
        try await TrackerClient.connect(to: socketPath)
    }
}
