import Foundation
import TTSTrack
import TTSTrackTestSupport
import Testing

/// `hooks.*` and `webhooks.*`: defaults, the file, the environment (an argv in one variable),
/// and the plain sentence a wrong value gets.
@Suite struct DaemonConfigurationDeliveryTests {
    @Test func defaultsAreTheDocumentedOnesAndDeliverNothing() async throws {
        let config = try await DaemonConfiguration.loading([:])
        #expect(config.hooks == HookPolicy() && !config.hooks.isEnabled && !config.webhooks.isEnabled)
        #expect(config.hooks.timeout == 30 && config.hooks.concurrency == 4 && config.hooks.maxAttempts == 8)
        #expect(config.webhooks.timeout == 10 && config.webhooks.maxAttempts == 12 && config.webhooks.concurrency == 8)
    }

    @Test(arguments: [
        (#"["/bin/echo", "two words", "--flag"]"#, ["/bin/echo", "two words", "--flag"]),
        ("/bin/echo  --task\t-v", ["/bin/echo", "--task", "-v"]),
        ("", []),
    ])
    func theEnvironmentGivesTheArgvAsJSONOrWords(text: String, argv: [String]) async throws {
        #expect(try await DaemonConfiguration.loading(["TTSTRACK_HOOKS_EXEC": text]).hooks.exec == argv)
    }

    @Test func theFileGivesAListAndTheEnvironmentWins() async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = "\(directory)/ttstrackd.yaml"
        try """
        hooks:
          exec: ["/bin/echo", "from, the file"]
          timeout: 5
          concurrency: 2
        webhooks:
          url: "https://example.invalid/hook"
          secret_file: "\(directory)/secret"
          concurrency: 3
        """.write(toFile: file, atomically: true, encoding: .utf8)
        try "whsec_c2VjcmV0".write(toFile: "\(directory)/secret", atomically: true, encoding: .utf8)
        let config = try await DaemonConfiguration.loading([:], file: file)
        #expect(config.hooks.exec == ["/bin/echo", "from, the file"])
        #expect(config.hooks.timeout == 5 && config.hooks.concurrency == 2)
        #expect(config.webhooks.url == "https://example.invalid/hook" && config.webhooks.concurrency == 3)
        let overridden = try await DaemonConfiguration.loading(["TTSTRACK_HOOKS_EXEC": "/bin/true"], file: file)
        #expect(overridden.hooks.exec == ["/bin/true"])
    }

    @Test(arguments: [
        (["TTSTRACK_HOOKS_EXEC": #"["/bin/echo", 3]"#], "TTSTRACK_HOOKS_EXEC must be a JSON array of strings"),
        (
            ["TTSTRACK_HOOKS_EXEC": "/nonexistent/hook"],
            "hooks.exec names /nonexistent/hook, which is not an executable"
        ),
        (["TTSTRACK_HOOKS_EXEC": "/bin/true", "TTSTRACK_HOOKS_TIMEOUT": "0"], "hooks.timeout must be more than 0"),
        (
            ["TTSTRACK_HOOKS_EXEC": "/bin/true", "TTSTRACK_HOOKS_TIMEOUT": "1e17"],
            "hooks.timeout must be more than 0 and at most 86400 seconds"
        ),
        (["TTSTRACK_HOOKS_CONCURRENCY": "0"], "hooks.concurrency must be from 1 to 256"),
        (["TTSTRACK_WEBHOOKS_URL": "ftp://x"], "webhooks.url must start with http:// or https://"),
        (["TTSTRACK_WEBHOOKS_URL": "http://x"], "webhooks.secret_file is not"),
        (
            ["TTSTRACK_WEBHOOKS_URL": "http://x", "TTSTRACK_WEBHOOKS_SECRET_FILE": "/nonexistent/secret"],
            "cannot read webhooks.secret_file /nonexistent/secret"
        ),
    ])
    func aWrongValueIsRefusedNamingTheKey(environment: [String: String], words: String) async {
        let refusal = await DaemonConfiguration.refusal(environment)
        #expect(refusal?.contains(words) == true, "\(refusal ?? "accepted")")
    }
}
