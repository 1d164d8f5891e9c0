import CambSimulator
import TTSTrack
import TTSTrackTestSupport
import Testing

/// HTTPS against the simulator with certificates of a CA made for the test: what the
/// operator reads for each way the handshake can fail, how fast, and which HTTP was spoken.
@Suite(.timeLimit(.minutes(1))) struct CambClientTLSTests {
    static func simulator(_ pair: TestCertificates.Pair, offerHTTP2: Bool = true) async throws -> CambSimulator {
        let simulator = CambSimulator(defaultBehavior: .alwaysPending)
        try await simulator.start(
            tls: SimTLS(certificateFile: pair.certificate, keyFile: pair.key, offerHTTP2: offerHTTP2))
        return simulator
    }

    static func client(
        _ baseURL: String, caFile: String = "", httpVersion: APIHTTPVersion = .auto, timeout: Double = 30
    ) throws -> CambClient {
        CambClient(
            settings: .init(
                baseURL: baseURL, apiKey: "sim-key", timeout: timeout,
                transport: try APITransport(caFile: caFile, proxy: nil, httpVersion: httpVersion)))
    }

    /// The check's outcome and how long it took.
    static func timedCheck(_ client: CambClient) async -> (CheckOutcome, Duration) {
        let started = ContinuousClock.now
        let outcome = await client.check(kind: "tts", taskID: "t1")
        return (outcome, ContinuousClock.now - started)
    }

    @Test func httpsWithTheCAFileWorksAndSpeaksHTTP2WhenOffered() async throws {
        let certificates = try TestCertificates.make()
        let simulator = try await Self.simulator(certificates.valid)
        #expect(simulator.baseURL.hasPrefix("https://127.0.0.1:"))
        let client = try Self.client(simulator.baseURL, caFile: certificates.caFile)
        #expect(await client.check(kind: "tts", taskID: "t1") == .report(.init(status: "PENDING")))
        #expect(await client.check(kind: "tts", taskID: "t1") == .report(.init(status: "PENDING")))
        #expect(simulator.requestCount(httpMajorVersion: 2) == 2, "auto picks h2, which the server offers")
        #expect(simulator.requestCount(httpMajorVersion: 1) == 0)
        #expect(simulator.recordedRequests().allSatisfy { $0.apiKey == "sim-key" })
        try await client.shutdown()
        try await simulator.shutdown()
    }

    @Test func http1StaysOnHTTP1AndAutoFallsBackWhenH2IsNotOffered() async throws {
        let certificates = try TestCertificates.make()
        let offering = try await Self.simulator(certificates.valid)
        let http1 = try Self.client(offering.baseURL, caFile: certificates.caFile, httpVersion: .http1)
        #expect(await http1.check(kind: "tts", taskID: "t1") == .report(.init(status: "PENDING")))
        #expect(offering.requestCount(httpMajorVersion: 1) == 1 && offering.requestCount(httpMajorVersion: 2) == 0)

        let plain = try await Self.simulator(certificates.valid, offerHTTP2: false)
        let auto = try Self.client(plain.baseURL, caFile: certificates.caFile)
        #expect(await auto.check(kind: "tts", taskID: "t1") == .report(.init(status: "PENDING")))
        #expect(plain.requestCount(httpMajorVersion: 1) == 1)

        let strict = try Self.client(plain.baseURL, caFile: certificates.caFile, httpVersion: .http2)
        let outcome = await strict.check(kind: "tts", taskID: "t1")
        #expect(
            outcome.failureText?.hasPrefix("127.0.0.1 does not offer HTTP/2, which api.http_version http2 requires")
                == true,
            "\(outcome)")
        for client in [http1, auto, strict] { try await client.shutdown() }
        try await offering.shutdown()
        try await plain.shutdown()
    }

    /// Each certificate problem in its own words, naming the host, within a second although
    /// `api.timeout` is 30 s: a failed handshake is not retried until the deadline.
    @Test(
        arguments: [
            (
                "self-signed",
                "certificate of 127.0.0.1 not trusted: no CA in the system's trust store or api.ca_file signed it"
            ),
            ("no ca_file", "certificate of 127.0.0.1 not trusted"),
            ("expired", "certificate of 127.0.0.1 expired: valid until "),
            ("wrong name", "certificate of 127.0.0.1 is for another name"),
        ])
    func certificateFailuresArePlainAndFast(certificate: String, expected: String) async throws {
        let certificates = try TestCertificates.make()
        let pair =
            switch certificate {
            case "self-signed": certificates.selfSigned
            case "expired": certificates.expired
            case "wrong name": certificates.wrongName
            default: certificates.valid
            }
        let simulator = try await Self.simulator(pair)
        let client = try Self.client(simulator.baseURL, caFile: certificate == "no ca_file" ? "" : certificates.caFile)
        var times: [Duration] = []
        for _ in 0..<3 {
            let (outcome, took) = await Self.timedCheck(client)
            guard case .failed(.transport(let error)) = outcome else {
                Issue.record("expected a transport failure, got \(outcome)")
                break
            }
            #expect(error.description.hasPrefix(expected), "\(error)")
            #expect(!error.description.contains("/") && !error.description.contains("SSL"), "\(error)")
            times.append(took)
        }
        // A handshake retried until the 30 s deadline would make every attempt slow; the
        // fastest of three stands for the client, not for a loaded test machine (the first
        // attempt also makes the TLS context, reading the whole system trust store).
        #expect(times.min()! < .seconds(1) && times.max()! < .seconds(10), "\(times)")
        #expect(simulator.totalRequests() == 0, "no request got through")
        try await client.shutdown()
        try await simulator.shutdown()
    }

    @Test func unknownHostAndRefusedPortArePlainAndFast() async throws {
        for (baseURL, expected) in [
            ("https://no-such-host.invalid", "cannot resolve the host name no-such-host.invalid"),
            ("https://127.0.0.1:1", "connection to 127.0.0.1 refused"),
        ] {
            let client = try Self.client(baseURL)
            var times: [Duration] = []
            for _ in 0..<3 {
                let (outcome, took) = await Self.timedCheck(client)
                #expect(outcome.failureText == expected)
                times.append(took)
            }
            // A failure retried until the 30 s deadline would make every attempt slow; the
            // fastest of three stands for the client, not for a loaded test machine.
            #expect(times.min()! < .seconds(1) && times.max()! < .seconds(10), "\(baseURL): \(times)")
            try await client.shutdown()
        }
    }

    @Test func anUnreadableOrEmptyCAFileIsRefusedNamingIt() throws {
        #expect(throws: APITransport.Invalid.self) {
            try APITransport(caFile: "/nonexistent/ca.pem", proxy: nil, httpVersion: .auto)
        }
        do {
            _ = try APITransport(caFile: "/dev/null", proxy: nil, httpVersion: .auto)
            Issue.record("an empty file was accepted")
        } catch {
            #expect(error.description == "api.ca_file /dev/null holds no PEM certificate")
        }
    }
}

extension CheckOutcome {
    /// What `Stats.api_error` would read for a failed check.
    var failureText: String? {
        if case .failed(let failure) = self { return failure.description }
        return nil
    }
}
