import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// The Python `varlink` package (PyPI) introspects and calls every method, Watch included.
@Suite(.timeLimit(.minutes(1))) struct GenericVarlinkClientTests {
    @Test func pythonVarlinkPackageCallsEveryMethod() async throws {
        try await DaemonFixture.with(defaultBehavior: .successAfterChecks(1)) { test in
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("python/generic_client.py").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, test.daemon.socketPath]
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try launch(process)
            let data = try await blocking { readAll(output.fileHandleForReading) }
            process.waitUntilExit()
            let errorText = String(decoding: readAll(errors.fileHandleForReading), as: UTF8.self)
            try #require(
                process.terminationStatus == 0,
                "the varlink client failed (install it with `pip install varlink`): \(errorText)")
            let seen = try JSONParser.parse(Array(data))
            #expect(seen["interfaces"] == ["org.varlink.service", "io.ttstrack.Tracker"])
            #expect(seen["description_starts"]?.stringValue?.hasPrefix("# Track asynchronous CAMB.AI tasks") == true)
            #expect(seen["add"] == ["added": 2, "existing": 0])
            #expect(seen["get"] == ["PENDING", "UNTRACKED"])
            #expect(seen["list"] == ["py-1", "py-2"])
            #expect(seen["list_tag"] == ["py-batch", "py-batch"])
            #expect(seen["wait"] == true)
            #expect(seen["wait_tag"] == ["py-1", "py-2"])
            #expect(seen["stats_success"] == 2)
            #expect(seen["invalid"] == "io.ttstrack.Tracker.InvalidTaskId")
            #expect(seen["watch"] == ["SUCCESS", "SUCCESS"])
            #expect(seen["remove"] == 1)
        }
    }
}
