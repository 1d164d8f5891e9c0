import CambSimulator
import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// `--tag` of add, list, wait and watch, as a user or a script sees it.
@Suite struct CLITagTests {
    typealias J = JSONAccess

    @Test func aBatchIsAddedListedAndWaitedForByItsTag() async throws {
        try await DaemonFixture.with(defaultBehavior: .successAfterChecks(1)) { fixture in
            let added = try await fixture.run(["add", "--tag", "chapter-1", "seg-1", "seg-2", "seg-3"])
            #expect(added.status == 0 && added.stdout == "added 3, already tracked 0\n", "\(added)")
            let again = try await fixture.run(["add", "--tag", "chapter-2", "seg-3", "seg-4"])
            #expect(again.stdout == "added 1, already tracked 1\n", "\(again)")

            let listed = try await fixture.run(["list", "--tag", "chapter-1"])
            #expect(listed.status == 0, "\(listed)")
            let header = try #require(listed.stdoutLines.first)
            #expect(header.hasPrefix("TASK ID") && header.contains("  TAG  "), "\(listed)")
            #expect(
                listed.stdoutLines.dropFirst().map { $0.split(separator: " ").first.map(String.init) } == [
                    "seg-1", "seg-2", "seg-3",
                ])
            #expect(listed.stdoutLines.dropFirst().allSatisfy { $0.contains(" chapter-1 ") }, "\(listed)")

            let json = try await fixture.run(["list", "--json", "--tag", "chapter-2"])
            #expect(J.tasks(try json.json()).map { $0["tag"]?.stringValue } == ["chapter-2"], "\(json)")

            let waited = try await fixture.run(["wait", "--timeout", "20", "--tag", "chapter-1"])
            #expect(waited.status == 0, "\(waited)")
            #expect(waited.stdoutLines.count == 4 && waited.stderr.isEmpty, "\(waited)")

            let both = try await fixture.run(["wait", "--json", "--timeout", "20", "--tag", "chapter-2", "seg-1"])
            #expect(both.status == 0, "\(both)")
            #expect(J.tasks(try both.json()).map { $0["task_id"]?.stringValue } == ["seg-1", "seg-4"], "\(both)")

            let got = try await fixture.run(["get", "seg-4", "unknown-1"])
            #expect(got.stdoutLines.first?.contains("  TAG  ") == true, "\(got)")
            #expect(got.stdoutLines.dropFirst().first?.contains(" chapter-2 ") == true, "\(got)")
        }
    }

    @Test func waitForATagNoTaskHasExitsOne() async throws {
        try await DaemonFixture.with { fixture in
            let result = try await fixture.run(["wait", "--timeout", "5", "--tag", "typo"])
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout == "no tasks\n", "\(result)")
            #expect(result.stderr == "ttstrack: no task has the tag \"typo\"\n", "\(result)")
        }
    }

    @Test func watchByTagShowsOnlyTheTaggedTasks() async throws {
        try await DaemonFixture.with(defaultBehavior: .successAfterChecks(0)) { fixture in
            _ = try await fixture.run(["add", "--tag", "mine", "w-1"])
            _ = try await fixture.run(["add", "w-other"])
            _ = try await fixture.run(["wait", "--timeout", "20", "w-1", "w-other"])
            let watch = try fixture.spawn(["watch", "--json", "--since", "0", "--tag", "mine"])
            _ = try await watch.waitForLine { $0.contains(#""SUCCESS""#) }
            _ = try await fixture.run(["remove", "w-1", "w-other"])
            _ = try await watch.waitForLine { $0.contains(#""UNTRACKED""#) }
            let ended = try await watch.interrupt()
            let events = try ended.stdoutLines.map { try JSONParser.parse($0) }
            #expect(events.count == 2, "\(ended)")
            #expect(events.allSatisfy { $0["task"]?["task_id"] == "w-1" && $0["task"]?["tag"] == "mine" }, "\(ended)")
        }
    }

    @Test(arguments: [
        ["add", "--tag", "a/b", "x"],
        ["add", "--tag", "", "x"],
        ["list", "--tag", "with space"],
        ["wait", "--tag", String(repeating: "t", count: 65)],
        ["watch", "--tag", "é"],
        ["wait"],
    ])
    func aBadTagIsUsageFoundBeforeConnecting(arguments: [String]) async throws {
        // No daemon at that path: exit 64, not 69, means nothing was sent.
        let result = try await CLIRun.run(arguments + ["--socket", "/nonexistent/s"])
        #expect(result.status == 64, "\(arguments): \(result)")
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("ttstrack: "), "\(arguments): \(result)")
        if arguments.count > 1 { #expect(result.stderr.contains("--tag"), "\(result)") }
        #expect(result.stdout.isEmpty)
    }

    @Test func aRefusedTagAddsNothing() async throws {
        try await DaemonFixture.with { fixture in
            let refused = try await fixture.run(["add", "--tag", "no/slash", "kept-out"])
            #expect(refused.status == 64, "\(refused)")
            let got = try await fixture.run(["get", "--json", "kept-out"])
            #expect(J.tasks(try got.json()).first?["status"] == "UNTRACKED", "\(got)")
        }
    }
}
