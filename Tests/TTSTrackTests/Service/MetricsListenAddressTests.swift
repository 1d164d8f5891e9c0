import Testing

@testable import TTSTrack

/// `metrics.listen`: host:port with an IPv4 address, a bracketed IPv6 address or a name.
@Suite struct MetricsListenAddressTests {
    @Test func acceptsIPv4IPv6AndNames() throws {
        let v4 = try MetricsListenAddress(parsing: "127.0.0.1:9464")
        #expect(v4.host == "127.0.0.1" && v4.port == 9464 && v4.description == "127.0.0.1:9464")
        let v6 = try MetricsListenAddress(parsing: "[::1]:9464")
        #expect(v6.host == "::1" && v6.port == 9464 && v6.description == "[::1]:9464")
        let name = try MetricsListenAddress(parsing: "localhost:1")
        #expect(name.host == "localhost" && name.port == 1)
    }

    @Test func refusesWhatIsNotHostColonPort() {
        for bad in [
            "9464", ":9464", "localhost", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:+80",
            "::1:9464", "[::1]", "[::1]9464", "[localhost]:80", "my host:80",
        ] {
            #expect(throws: DaemonConfiguration.Invalid.self, "\(bad)") { try MetricsListenAddress(parsing: bad) }
        }
    }
}
