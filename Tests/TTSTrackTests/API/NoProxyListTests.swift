import TTSTrack
import Testing

/// `NO_PROXY` as curl reads it, one row per rule.
@Suite struct NoProxyListTests {
    @Test(
        arguments: [
            ("", "api.example.com", 443, false),
            ("*", "anything.at.all", 443, true),
            ("example.com", "example.com", 443, true),
            ("example.com", "api.example.com", 443, true),
            ("example.com", "a.b.example.com", 443, true),
            ("example.com", "badexample.com", 443, false),
            ("example.com", "example.com.evil", 443, false),
            (".example.com", "example.com", 443, true),
            (".example.com", "api.example.com", 443, true),
            ("*.example.com", "api.example.com", 443, true),
            ("EXAMPLE.com", "Api.Example.COM", 443, true),
            ("example.com.", "api.example.com", 443, true),
            ("other.org, example.com", "example.com", 443, true),
            ("other.org,,  example.com", "api.example.com", 443, true),
            ("other.org", "example.com", 443, false),
            ("127.0.0.1", "127.0.0.1", 8080, true),
            ("127.0.0.1", "127.0.0.10", 8080, false),
            ("0.0.1", "127.0.0.1", 8080, false),
            ("10.0.0.1", "10.0.0.1.example.com", 443, false),
            ("::1", "::1", 443, true),
            ("[::1]", "[::1]", 443, true),
            ("[::1]:8443", "::1", 8443, true),
            ("[::1]:8443", "::1", 443, false),
            ("example.com:8443", "api.example.com", 8443, true),
            ("example.com:8443", "api.example.com", 443, false),
            ("localhost", "localhost", 1234, true),
        ] as [(String, String, Int, Bool)])
    func matchesLikeCurl(list: String, host: String, port: Int, bypasses: Bool) {
        #expect(NoProxyList(list).bypasses(host: host, port: port) == bypasses, "\(list) vs \(host):\(port)")
    }

    @Test func theProxyComesFromTheConfigurationThenTheVariables() throws {
        let https = "https://client.camb.ai/apis"
        #expect(try APIProxy.resolve(configured: "", baseURL: https, environment: [:]) == nil)
        #expect(
            try APIProxy.resolve(configured: "", baseURL: https, environment: ["http_proxy": "http://p:1"]) == nil,
            "http_proxy is for http:// URLs")
        #expect(
            try APIProxy.resolve(
                configured: "", baseURL: https,
                environment: ["https_proxy": "http://low:1", "HTTPS_PROXY": "http://up:2"])
                == APIProxy(host: "low", port: 1))
        #expect(
            try APIProxy.resolve(configured: "", baseURL: "http://sim:80", environment: ["HTTP_PROXY": "up:3128"])
                == APIProxy(host: "up", port: 3128))
        #expect(
            try APIProxy.resolve(
                configured: "http://u:p@conf:8080", baseURL: https, environment: ["https_proxy": "http://env:1"])
                == APIProxy(host: "conf", port: 8080, username: "u", password: "p"))
        #expect(
            try APIProxy.resolve(
                configured: "http://conf:8080", baseURL: https, environment: ["no_proxy": "camb.ai"]) == nil,
            "NO_PROXY applies to api.proxy too, as curl applies it to --proxy")
        #expect(try APIProxy(parsing: "http://[::1]:3128") == APIProxy(host: "::1", port: 3128))
        #expect(try APIProxy(parsing: "proxy.corp") == APIProxy(host: "proxy.corp", port: 1080))
    }

    @Test func badProxyURLsAreRefusedWithoutRepeatingThem() {
        for (text, expected) in [
            ("socks5://u:secret@p:1080", "https_proxy: only http:// proxies are supported, not socks5://"),
            ("http://u:secret@p:99999", "https_proxy: the proxy's port must be 1-65535"),
            ("http://u:secret@:8080", "https_proxy: the proxy URL names no host"),
        ] {
            do {
                _ = try APIProxy.resolve(
                    configured: "", baseURL: "https://x", environment: ["https_proxy": text])
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.description == expected)
                #expect(!error.description.contains("secret"))
            }
        }
        let proxy = APIProxy(host: "p", port: 1, username: "u", password: "secret")
        #expect("\(proxy)" == "http://***@p:1" && !"\(proxy)".contains("secret"))
    }
}
