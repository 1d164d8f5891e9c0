import CambSimulator
import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A store directory on a read-only file system: the daemon refuses to start with a message
/// that names the directory, changes nothing, and starts with every id once it is writable again.
/// Needs root (a read-only bind mount); root ignores file modes, so `chmod` cannot stand in.
@Suite(.timeLimit(.minutes(1))) struct ReadOnlyStoreTests {
    @Test(.enabled(if: getuid() == 0, "needs root")) func aReadOnlyStoreDirectoryIsRefusedClearlyAndLosesNothing()
        async throws
    {
        let directory = DaemonProcess.makeTemporaryDirectory()
        let state = "\(directory)/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let environment = ["TTSTRACK_STORE_PATH": "\(state)/tasks.sqlite3"]

        // A fresh, empty read-only directory: nothing can be created there.
        try #require(runCommand("mount", "--bind", state, state).status == 0, "bind mount")
        try #require(runCommand("mount", "-o", "remount,bind,ro", state).status == 0, "make it read-only")
        let refused = try DaemonProcess(environment: environment, directory: directory)
        #expect(await refused.waitForExit() == 1)
        #expect(refused.stderr.contains("the store directory \(state) is not writable"), "\(refused.stderr)")
        #expect(refused.stderr.contains("Read-only file system"), "\(refused.stderr)")
        runCommand("umount", state)
        #expect(try FileManager.default.contentsOfDirectory(atPath: state).isEmpty, "nothing was created")

        // A store with acknowledged ids whose directory turns read-only between runs.
        try await DaemonFixture.with(defaultBehavior: .alwaysPending, environment: environment, directory: directory) {
            test in
            let ids = (0..<50).map { "ro-\($0)" }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": .array(ids.map(JSONValue.string))])
            #expect(await test.daemon.stop() == 0)
            let before = try FileManager.default.contentsOfDirectory(atPath: state).sorted()
            let storeBefore = try Data(contentsOf: URL(fileURLWithPath: "\(state)/tasks.sqlite3"))
            try #require(runCommand("mount", "--bind", state, state).status == 0, "bind mount")
            try #require(runCommand("mount", "-o", "remount,bind,ro", state).status == 0, "make it read-only")
            // Its own process: a daemon that must refuse to start, which the fixture waits out.
            let again = try DaemonProcess(environment: environment, directory: directory)
            #expect(await again.waitForExit() == 1)
            #expect(again.stderr.contains("is not writable"), "\(again.stderr)")
            runCommand("umount", state)
            #expect(try FileManager.default.contentsOfDirectory(atPath: state).sorted() == before)
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(state)/tasks.sqlite3")) == storeBefore, "untouched")

            // Writable again: every acknowledged id is there.
            try await test.restart()
            let got = try await test.call("io.ttstrack.Tracker.Get", ["ids": .array(ids.map(JSONValue.string))])
            #expect(got["tasks"]?.array?.allSatisfy { $0["status"] == "PENDING" } == true, "\(got)")
            #expect(await test.daemon.stop() == 0)
        }
    }
}
