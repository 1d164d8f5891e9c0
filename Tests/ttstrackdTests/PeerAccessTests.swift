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

    static func start(_ extra: [String: String]) async throws -> DaemonProcess {
        let directory = DaemonProcess.makeTemporaryDirectory()
        chmod(directory, 0o755)  // let the other user reach the socket
        var environment = ["TTSTRACK_CONTROL_MODE": "0666"]
        environment.merge(extra) { _, new in new }
        let daemon = try DaemonProcess(environment: environment, directory: directory)
        try await daemon.waitUntilReady()
        return daemon
    }

    @Test(.enabled(if: getuid() == 0, "needs root")) func unlistedUsersAreDeniedAndListedOnesServed() async throws {
        let open = try await Self.start([:])
        #expect(try await Self.callAsNobody(open.socketPath) == "ok", "no lists: the socket mode decides")
        #expect(await open.stop() == 0)

        let restricted = try await Self.start(["TTSTRACK_CONTROL_ALLOW_UIDS": "4242,4343"])
        #expect(try await Self.callAsNobody(restricted.socketPath) == "org.varlink.service.PermissionDenied")
        let own = try restricted.client().call("io.ttstrack.Tracker.Stats")
        #expect(own["version"] != nil, "root and the daemon's own user are always let in")
        #expect(await restricted.stop() == 0)

        let byUID = try await Self.start(["TTSTRACK_CONTROL_ALLOW_UIDS": "\(Self.nobody)"])
        #expect(try await Self.callAsNobody(byUID.socketPath) == "ok")
        #expect(await byUID.stop() == 0)

        let byGroup = try await Self.start(["TTSTRACK_CONTROL_ALLOW_GROUPS": "\(Self.nobody)"])
        #expect(try await Self.callAsNobody(byGroup.socketPath) == "ok")
        #expect(await byGroup.stop() == 0)
    }

    @Test func unknownGroupsAreAConfigurationError() async throws {
        let daemon = try DaemonProcess(environment: ["TTSTRACK_CONTROL_ALLOW_GROUPS": "no-such-group-xyz"])
        #expect(await daemon.waitForExit() == 78)
        #expect(daemon.stderr.contains("control.allow_groups"))
    }
}
