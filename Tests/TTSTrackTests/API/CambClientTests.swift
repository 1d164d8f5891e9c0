import CambSimulator
import TTSTrack
import Testing

/// One status check against the simulator → the outcome the scheduler acts on.
@Suite struct CambClientTests {
    @Test(
        arguments: [
            (SimResponse.pending, CheckOutcome.report(.init(status: "PENDING"))),
            (.success(runID: 9), .report(.init(status: "SUCCESS", runID: 9))),
            (.notFound, .notFound),
            (.rateLimited(retryAfter: "7"), .rateLimited(retryAfter: 7)),
            (.rateLimitedMs(1500), .rateLimited(retryAfter: 1.5)),
            (.http(403), .unauthorized(.refused(status: 403))),
            (.serverError(503), .failed(.httpStatus(503))),
        ] as [(SimResponse, CheckOutcome)])
    func mapsAnswersToOutcomes(response: SimResponse, expected: CheckOutcome) async throws {
        let simulator = CambSimulator()
        try await simulator.start()
        let client = CambClient(settings: .init(baseURL: simulator.baseURL, apiKey: "sim-key", timeout: 5))
        simulator.script("t:1", [response])
        let outcome = await client.check(kind: "tts", taskID: "t:1")
        #expect(outcome == expected)
        #expect(simulator.recordedRequests().first?.path == "/tts/t%3A1")
        #expect(simulator.recordedRequests().first?.apiKey == "sim-key")
        try await client.shutdown()
        try await simulator.shutdown()
    }

    @Test func wrongKeyIsUnauthorizedAndNeverEchoed() async throws {
        let simulator = CambSimulator()
        try await simulator.start()
        let client = CambClient(settings: .init(baseURL: simulator.baseURL, apiKey: "secret-123", timeout: 5))
        let outcome = await client.check(kind: "tts", taskID: "t")
        #expect(outcome == .unauthorized(.refused(status: 401)))
        #expect(!"\(outcome)".contains("secret-123"))
        try await client.shutdown()
        try await simulator.shutdown()
    }

    @Test func hugeBodiesAreCappedAndHangsTimeOut() async throws {
        let simulator = CambSimulator()
        try await simulator.start()
        let client = CambClient(settings: .init(baseURL: simulator.baseURL, apiKey: "sim-key", timeout: 0.3))
        simulator.script("big", [.hugeBody(200 << 20)])
        simulator.script("hang", [.hang])
        #expect(
            await client.check(kind: "tts", taskID: "big")
                == .failed(
                    .transport(TransportError(.bodyTooLarge, host: "127.0.0.1", detail: "more than 1048576 bytes"))))
        let started = ContinuousClock.now
        #expect(
            await client.check(kind: "tts", taskID: "hang")
                == .failed(.transport(TransportError(.timeout, host: "127.0.0.1"))))
        #expect(ContinuousClock.now - started < .seconds(10), "given up on, not waited for forever")
        try await client.shutdown()
        try await simulator.shutdown()
    }
}
