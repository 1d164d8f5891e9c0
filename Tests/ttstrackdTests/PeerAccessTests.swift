import Foundation
import TTSTrack
import TTSTrackTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `control.allow_uids` / `control.allow_groups`, checked with SO_PEERCRED: a client running as
/// another user (via `setpriv`) is answered `PermissionDenied` unless listed.
@Suite(.timeLimit(.minutes(1))) struct PeerAccessTests {
    static let nobody: UInt32 = 65534

    /// Calls GetInfo as user `nobody`; returns the reply's error name, or "ok".
    static func callAsNobody(_ socket: String) async throws -> String {
        let client = """
            import json, socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
            s.sendall(b'{"method":"io.ttstrack.Tracker.Stats"}\\0')
            data = b""
            while not data.endswith(b"\\0"):
                chunk = s.recv(65536)
                if not chunk: break
                data += chunk
            reply = json.loads(data[:-1])
            print(reply.get("error", "ok"))
            """
        let nobody = Self.nobody
        let result = try await blocking {
            runCommand(
                "setpriv", "--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups", "/usr/bin/env", "python3", "-c",
                client, socket)
        }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A fixture whose socket another user can reach (the directory 0755, the socket 0666),
    /// so that only the allow lists decide.
    static func withDaemon(_ extra: [String: String], _ body: (DaemonFixture) async throws -> Void) async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        chmod(directory, 0o755)  // let the other user reach the socket
        var environment = ["TTSTRACK_CONTROL_MODE": "0666"]
        environment.merge(extra) { _, new in new }
        try await DaemonFixture.with(environment: environment, directory: directory, body)
    }

    @Test(.enabled(if: getuid() == 0, "needs root")) func unlistedUsersAreDeniedAndListedOnesServed() async throws {
        // `async throws` spelled out: a closure whose only `try` is inside `#expect` is not
        // inferred to throw.
        try await Self.withDaemon([:]) { open async throws in
            #expect(try await Self.callAsNobody(open.socketPath) == "ok", "no lists: the socket mode decides")
            #expect(await open.daemon.stop() == 0)
        }

        try await Self.withDaemon(["TTSTRACK_CONTROL_ALLOW_UIDS": "4242,4343"]) { restricted in
            #expect(try await Self.callAsNobody(restricted.socketPath) == "org.varlink.service.PermissionDenied")
            let own = try restricted.daemon.client().call("io.ttstrack.Tracker.Stats")
            #expect(own["version"] != nil, "root and the daemon's own user are always let in")
            #expect(await restricted.daemon.stop() == 0)
        }

        try await Self.withDaemon(["TTSTRACK_CONTROL_ALLOW_UIDS": "\(Self.nobody)"]) { byUID async throws in
            #expect(try await Self.callAsNobody(byUID.socketPath) == "ok")
            #expect(await byUID.daemon.stop() == 0)
        }

        try await Self.withDaemon(["TTSTRACK_CONTROL_ALLOW_GROUPS": "\(Self.nobody)"]) { byGroup async throws in
            #expect(try await Self.callAsNobody(byGroup.socketPath) == "ok")
            #expect(await byGroup.daemon.stop() == 0)
        }
    }

    @Test func unknownGroupsAreAConfigurationError() async throws {
        let daemon = try DaemonProcess(environment: ["TTSTRACK_CONTROL_ALLOW_GROUPS": "no-such-group-xyz"])
        #expect(await daemon.waitForExit() == 78)
        #expect(daemon.stderr.contains("control.allow_groups"))
    }
}
