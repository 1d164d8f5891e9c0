import TTSTrack
import TTSTrackTestSupport
import Testing

/// `api.ca_file`, `api.proxy` and `api.http_version`: their defaults, their environment
/// variables, and the one plain sentence a wrong value gets (never a proxy's password).
@Suite struct DaemonConfigurationTransportTests {
    @Test func defaultsAndEnvironmentVariables() async throws {
        let defaults = try await DaemonConfiguration.loading([:])
        #expect(defaults.apiCAFile == "" && defaults.apiProxy == "" && defaults.apiHTTPVersion == .auto)
        let certificates = try TestCertificates.make()
        let set = try await DaemonConfiguration.loading([
            "TTSTRACK_API_CA_FILE": certificates.caFile, "TTSTRACK_API_PROXY": "http://proxy.corp:3128",
            "TTSTRACK_API_HTTP_VERSION": "http2",
        ])
        #expect(set.apiCAFile == certificates.caFile && set.apiHTTPVersion == .http2)
        let settings = try set.clientSettings(apiKey: nil, environment: [:])
        #expect(settings.transport.proxy == APIProxy(host: "proxy.corp", port: 3128))
        #expect(settings.transport.caFile == certificates.caFile)
    }

    @Test(
        arguments: [
            (["TTSTRACK_API_HTTP_VERSION": "h3"], "api.http_version must be auto, http1 or http2, not \"h3\""),
            (
                ["TTSTRACK_API_HTTP_VERSION": "http2", "TTSTRACK_API_BASE_URL": "http://127.0.0.1:8080"],
                "api.http_version http2 needs an https:// api.base_url (HTTP/2 without TLS is not supported)"
            ),
            (
                ["TTSTRACK_API_CA_FILE": "/nonexistent/ca.pem"],
                "api.ca_file /nonexistent/ca.pem cannot be read: No such file or directory"
            ),
            (["TTSTRACK_API_CA_FILE": "/dev/null"], "api.ca_file /dev/null holds no PEM certificate"),
            (
                ["TTSTRACK_API_PROXY": "socks5://me:SECRET-9@proxy:1080"],
                "api.proxy: only http:// proxies are supported, not socks5://"
            ),
            (["HTTPS_PROXY": "http://me:SECRET-9@proxy:port"], "HTTPS_PROXY: the proxy's port must be 1-65535"),
        ] as [([String: String], String)])
    func wrongValuesAreRefusedInOneSentence(environment: [String: String], expected: String) async {
        let refusal = await DaemonConfiguration.refusal(environment)
        #expect(refusal == expected)
        #expect(refusal?.contains("SECRET") != true)
    }
}
