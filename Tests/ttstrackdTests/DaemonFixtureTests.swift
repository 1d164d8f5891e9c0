import Foundation
import TTSTrackTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The fixture every daemon, CLI and client test stands on: nothing of it outlives the test,
/// whether the body returns or throws, and a body may stop, kill and restart the daemon.
@Suite(.timeLimit(.minutes(1))) struct DaemonFixtureTests {
    /// Thrown from a body on purpose, carrying what the body saw of the fixture.
    struct Planned: Error {
        let pid: Int32
        let directory: String
        let port: Int
    }

    /// True while something accepts TCP connections on the loopback `port`.
    static func listening(_ port: Int) async throws -> Bool {
        try await blocking {
            runCommand(
                "python3", "-c", "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 2)",
                "\(port)"
            ).status == 0
        }
    }

    @Test func aThrowingBodyLeavesNoDaemonSimulatorOrDirectory() async throws {
        var planned: Planned?
        do {
            try await DaemonFixture.with { test in
                #expect(try await test.call("io.ttstrack.Tracker.Stats")["version"] != nil)
                #expect(try await Self.listening(test.simulator.port))
                throw Planned(pid: test.daemon.pid, directory: test.directory, port: test.simulator.port)
            }
        } catch let error as Planned {
            planned = error
        }
        let seen = try #require(planned, "the body's error is rethrown as it is")
        #expect(kill(seen.pid, 0) != 0, "the daemon is gone")
        #expect(try await !Self.listening(seen.port), "the simulator is shut down")
        if ProcessInfo.processInfo.environment["TTSTRACK_KEEP_TEST_DIRS"] == nil {
            #expect(!FileManager.default.fileExists(atPath: seen.directory), "the directory is removed")
        }
    }

    @Test func aBodyMayKillAndRestartTheDaemonAndTheTeardownStillRuns() async throws {
        let (pids, port) = try await DaemonFixture.with(defaultBehavior: .alwaysPending) { test in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ["kept"]])
            let first = test.daemon.pid
            #expect(await test.daemon.stop(signal: SIGKILL) != 0)
            #expect(await test.daemon.stop() != 0, "stopping again returns the same status")
            try await test.restart()
            #expect(test.daemon.pid != first)
            let got = try await test.call("io.ttstrack.Tracker.Get", ["ids": ["kept"]])
            #expect(got["tasks"]?.array?.first?["status"] == "PENDING", "the same store")
            return ([first, test.daemon.pid], test.simulator.port)
        }
        #expect(pids.allSatisfy { kill($0, 0) != 0 }, "both daemons are gone")
        #expect(try await !Self.listening(port))
    }
}
