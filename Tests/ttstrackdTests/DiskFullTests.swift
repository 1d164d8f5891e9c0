import CambSimulator
import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A full disk under the store: reported in Stats, the log and STATUS=, nothing acknowledged
/// is lost, and the daemon recovers by itself when space returns. Needs root (a small tmpfs).
@Suite(.timeLimit(.minutes(1))) struct DiskFullTests {
    @Test(.enabled(if: getuid() == 0, "needs root")) func aFullDiskIsReportedAndRecoveredFromWithoutLoss() async throws
    {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let small = "\(directory)/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        try #require(runCommand("mount", "-t", "tmpfs", "-o", "size=3M", "tmpfs", small).status == 0, "mount a tmpfs")
        defer { runCommand("umount", "-l", small) }
        let listener = try NotifyListener(directory: directory)
        try await DaemonFixture.with(
            defaultBehavior: .alwaysPending,
            environment: ["TTSTRACK_STORE_PATH": "\(small)/tasks.sqlite3", "NOTIFY_SOCKET": listener.path],
            directory: directory
        ) { test in
            let ids = (0..<200).map { "full-\($0)" }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": .array(ids.map(JSONValue.string))])
            // Fill the disk to the last byte.
            runCommand("dd", "if=/dev/zero", "of=\(small)/filler", "bs=64k")
            for id in ids { test.simulator.script(id, [.success(runID: 9)]) }
            try await eventually(timeout: .seconds(20)) {
                try await test.call("io.ttstrack.Tracker.Stats")["store_error"]?.stringValue != nil
            }
            let refused = try await test.error("io.ttstrack.Tracker.Add", ["ids": ["one-more"]])
            #expect(refused?.name == "io.ttstrack.Tracker.StoreUnavailable", "Add says so and changes nothing")
            #expect(await listener.waitFor { $0.hasPrefix("STATUS=") && $0.contains("store error") } != nil)
            #expect(test.daemon.stderr.contains("Store error"))
            // Space returns: results are written and the error clears, with no restart.
            try FileManager.default.removeItem(atPath: "\(small)/filler")
            let waited = try await test.call(
                "io.ttstrack.Tracker.Wait", ["ids": .array(ids.map(JSONValue.string)), "timeout": 30])
            #expect(waited["done"] == true)
            #expect(waited["tasks"]?.array?.allSatisfy { $0["run_id"] == 9 } == true)
            try await eventually { try await test.call("io.ttstrack.Tracker.Stats")["store_error"] == .null }
            #expect(
                try await test.call("io.ttstrack.Tracker.Get", ["ids": ["one-more"]])["tasks"]?.array?.first?["status"]
                    == "UNTRACKED")
        }
    }
}
