import CambSimulator
import Foundation
import TTSTrack
import TTSTrackTestSupport
import Testing

/// Status checks through a CONNECT proxy taken from the environment, `NO_PROXY`, and what the
/// operator reads when the proxy fails; its credentials never in a message.
@Suite(.timeLimit(.minutes(1))) struct CambClientProxyTests {
    /// The client as the daemon builds it from its configuration and environment.
    static func client(
        baseURL: String, caFile: String, proxy: String = "", environment: [String: String]
    ) throws
        -> CambClient
    {
        var configuration = DaemonConfiguration(storePath: "/unused", socketPath: "/unused")
        configuration.apiBaseURL = baseURL
        configuration.apiCAFile = caFile
        configuration.apiProxy = proxy
        return CambClient(settings: try configuration.clientSettings(apiKey: "sim-key", environment: environment))
    }

    @Test func aConnectProxyFromTheEnvironmentIsUsedWithItsCredentials() async throws {
        let certificates = try TestCertificates.make()
        let simulator = try await CambClientTLSTests.simulator(certificates.valid)
        let proxy = ConnectProxy()
        try await proxy.start()
        let client = try Self.client(
            baseURL: simulator.baseURL, caFile: certificates.caFile,
            environment: [
                "https_proxy": proxy.url(credentials: "alice:p%40ss-secret"), "http_proxy": "http://127.0.0.1:1",
            ])
        #expect(await client.check(kind: "tts", taskID: "t1") == .report(.init(status: "PENDING")))
        let expected = "Basic " + Data("alice:p@ss-secret".utf8).base64EncodedString()
        #expect(proxy.requests() == [.init(target: "127.0.0.1:\(simulator.port)", authorization: expected)])
        #expect(simulator.requestCount(httpMajorVersion: 2) == 1, "TLS and ALPN end to end, through the tunnel")
        try await client.shutdown()
        try await proxy.shutdown()
        try await simulator.shutdown()
    }

    @Test func noProxyBypassesIt() async throws {
        let certificates = try TestCertificates.make()
        let simulator = try await CambClientTLSTests.simulator(certificates.valid)
        let proxy = ConnectProxy()
        try await proxy.start()
        let client = try Self.client(
            baseURL: simulator.baseURL, caFile: certificates.caFile,
            environment: ["HTTPS_PROXY": proxy.url(), "NO_PROXY": "example.com, 127.0.0.1"])
        #expect(await client.check(kind: "tts", taskID: "t1") == .report(.init(status: "PENDING")))
        #expect(proxy.requests().isEmpty)
        #expect(simulator.totalRequests() == 1)
        try await client.shutdown()
        try await proxy.shutdown()
        try await simulator.shutdown()
    }

    @Test func proxyFailuresNameTheProxyAndNeverItsCredentials() async throws {
        let certificates = try TestCertificates.make()
        let simulator = try await CambClientTLSTests.simulator(certificates.valid)
        let demanding = ConnectProxy(requiredAuthorization: "Basic c29tZW9uZTplbHNl")
        try await demanding.start()
        let wrongCredentials = try Self.client(
            baseURL: simulator.baseURL, caFile: certificates.caFile,
            proxy: demanding.url(credentials: "bob:hunter2-secret"), environment: [:])
        var times: [Duration] = []
        for _ in 0..<3 {
            let (outcome, took) = await CambClientTLSTests.timedCheck(wrongCredentials)
            #expect(outcome.failureText == "the proxy 127.0.0.1:\(demanding.port) asks for credentials (HTTP 407)")
            times.append(took)
        }
        #expect(times.min()! < .seconds(1) && times.max()! < .seconds(10), "not retried until the deadline: \(times)")
        #expect(demanding.requests().count == 3)

        // A tunnel to a closed port: the proxy answers 502.
        let deadEnd = try Self.client(
            baseURL: "https://127.0.0.1:1", caFile: certificates.caFile,
            proxy: "http://bob:hunter2-secret@127.0.0.1:\(demanding.port)", environment: [:])
        let open = ConnectProxy()
        try await open.start()
        let refusedTunnel = try Self.client(
            baseURL: "https://127.0.0.1:1", caFile: certificates.caFile,
            proxy: open.url(credentials: "bob:hunter2-secret"),
            environment: [:])
        #expect(
            await refusedTunnel.check(kind: "tts", taskID: "t1").failureText
                == "the proxy 127.0.0.1:\(open.port) refused to connect to 127.0.0.1")
        let noProxy = try Self.client(
            baseURL: simulator.baseURL, caFile: certificates.caFile, proxy: "http://bob:hunter2-secret@127.0.0.1:1",
            environment: [:])
        #expect(
            await noProxy.check(kind: "tts", taskID: "t1").failureText == "connection to the proxy 127.0.0.1:1 refused")
        for client in [wrongCredentials, deadEnd, refusedTunnel, noProxy] {
            try await client.shutdown()
        }
        try await demanding.shutdown()
        try await open.shutdown()
        try await simulator.shutdown()
    }

    @Test func anUntrustedCertificateBehindAProxyIsToldAsPreciselyAsWithout() async throws {
        let certificates = try TestCertificates.make()
        let simulator = try await CambClientTLSTests.simulator(certificates.expired)
        let proxy = ConnectProxy()
        try await proxy.start()
        let client = try Self.client(
            baseURL: simulator.baseURL, caFile: certificates.caFile, environment: ["https_proxy": proxy.url()])
        let text = await client.check(kind: "tts", taskID: "t1").failureText
        #expect(text?.hasPrefix("certificate of 127.0.0.1 expired: valid until ") == true, "\(text ?? "")")
        try await client.shutdown()
        try await proxy.shutdown()
        try await simulator.shutdown()
    }
}

extension CambClientProxyTests {
    @Test func aReloadThatAddsAProxyTakesEffectForTheNextCheck() async throws {
        let certificates = try TestCertificates.make()
        let simulator = try await CambClientTLSTests.simulator(certificates.valid)
        let proxy = ConnectProxy()
        try await proxy.start()
        var configuration = DaemonConfiguration(storePath: "/unused", socketPath: "/unused")
        configuration.apiBaseURL = simulator.baseURL
        configuration.apiCAFile = certificates.caFile
        let client = CambClient(settings: try configuration.clientSettings(apiKey: "sim-key", environment: [:]))
        #expect(await client.check(kind: "tts", taskID: "t1") == .report(.init(status: "PENDING")))
        #expect(proxy.requests().isEmpty)
        configuration.apiProxy = proxy.url()
        configuration.apiHTTPVersion = .http1
        client.update(try configuration.clientSettings(apiKey: "sim-key", environment: [:]))
        #expect(await client.check(kind: "tts", taskID: "t1") == .report(.init(status: "PENDING")))
        #expect(proxy.requests().count == 1)
        #expect(simulator.requestCount(httpMajorVersion: 1) == 1 && simulator.requestCount(httpMajorVersion: 2) == 1)
        try await client.shutdown()
        try await proxy.shutdown()
        try await simulator.shutdown()
    }
}
