import CambSimulator
import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// The live line of `wait` and `fetch`: drawn on a terminal, redrawn in place, cleared before
/// the result; nothing of it in a pipe or with `--json`. The simulator holds each task PENDING
/// until the test lets it finish, so every state of the line is waited for, not timed.
@Suite(.timeLimit(.minutes(1))) struct CLIProgressTests {
    /// Moves the cursor to the start of the line and clears it.
    static let redraw = "\r\u{1B}[K"

    @Test func waitShowsHowFarItIsOnATerminalAndClearsTheLine() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { fixture in
            _ = try await fixture.run(["add", "--tag", "book", "part-a", "part-b", "part-c"])
            let terminal = try PseudoTerminal()
            let wait = try fixture.spawn(["wait", "--timeout", "30", "--tag", "book"], stderrTerminal: terminal)
            try await eventually("the first line") { terminal.text.contains(Self.redraw + "done 0 of 3  PENDING 3") }

            fixture.simulator.script("part-b", [.success(runID: 2)])
            try await eventually("one done") {
                terminal.text.contains(Self.redraw + "done 1 of 3  PENDING 2  SUCCESS 1  last part-b")
            }
            fixture.simulator.script("part-a", [.error(reason: "PROCESSING_ERROR", message: .string("boom"))])
            try await eventually("two done") {
                terminal.text.contains("done 2 of 3  ERROR 1  PENDING 1  SUCCESS 1  last part-a")
            }
            fixture.simulator.script("part-c", [.success(runID: 3)])
            let result = try await wait.finish()
            let shown = try await terminal.finish()
            #expect(result.status == 1, "part-a failed: \(result)")
            #expect(result.stdoutLines.count == 4, "the table on standard output: \(result)")
            #expect(
                shown.hasSuffix(Self.redraw + "ttstrack: part-a ended ERROR\n"), "cleared, then the verdict: \(shown)")
            #expect(!shown.contains("\n" + "done"), "redrawn in place, never on a new line: \(shown)")
        }
    }

    @Test func nothingOfItGoesToAPipeOrWithJSON() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { fixture in
            fixture.simulator.script("quiet-1", [.pending, .pending, .success(runID: 1)])
            _ = try await fixture.run(["add", "quiet-1"])
            let piped = try await fixture.run(["wait", "--timeout", "30", "quiet-1"])
            #expect(piped.status == 0 && piped.stderr.isEmpty, "\(piped)")

            let terminal = try PseudoTerminal()
            let json = try fixture.spawn(["wait", "--json", "--timeout", "30", "quiet-1"], stderrTerminal: terminal)
            let result = try await json.finish()
            #expect(result.status == 0, "\(result)")
            #expect(try await terminal.finish().isEmpty)

            let dumb = try PseudoTerminal()
            let plain = try CLIRun(
                ["wait", "--timeout", "30", "quiet-1", "--socket", fixture.socketPath], environment: ["TERM": "dumb"],
                stderrTerminal: dumb)
            #expect(try await plain.finish().status == 0)
            #expect(try await dumb.finish().isEmpty, "a terminal that cannot redraw gets nothing")
        }
    }

    @Test func manyChangesAtOnceAreDrawnAtMostTenTimesASecond() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { fixture in
            let batch = (0..<300).map { "many-\($0)" }
            _ = try await fixture.run(["add", "--tag", "many", "-"], stdin: batch.joined(separator: "\n"))
            let terminal = try PseudoTerminal()
            let wait = try fixture.spawn(["wait", "--timeout", "30", "--tag", "many"], stderrTerminal: terminal)
            try await eventually("the first line") { terminal.text.contains("done 0 of 300") }
            let released = ContinuousClock.now
            for id in batch { fixture.simulator.script(id, [.success(runID: 1)]) }
            let result = try await wait.finish()
            let elapsed = ContinuousClock.now - released
            let shown = try await terminal.finish()
            #expect(result.status == 0, "\(result)")
            // Every draw and the final clear start with the redraw sequence; 300 changes came in.
            let draws = shown.components(separatedBy: Self.redraw).count - 2
            let allowed = Int(elapsed / .milliseconds(100)) + 2
            #expect(draws >= 1 && draws <= allowed, "\(draws) draws in \(elapsed): \(shown)")
        }
    }

    @Test func fetchShowsItsProgressToo() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { fixture in
            _ = try await fixture.run(["add", "voice-1"])
            let terminal = try PseudoTerminal()
            let fetch = try fixture.spawn(["fetch", "--timeout", "30", "voice-1"], stderrTerminal: terminal)
            try await eventually("the first line") { terminal.text.contains(Self.redraw + "done 0 of 1  PENDING 1") }
            fixture.simulator.script("voice-1", [.success(runID: 31)])
            let result = try await fetch.finish()
            let shown = try await terminal.finish()
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "voice-1  \(fixture.directory)/results/voice-1.flac\n", "\(result)")
            #expect(shown.contains("done 1 of 1  SUCCESS 1  last voice-1"), "\(shown)")
            #expect(shown.hasSuffix(Self.redraw), "cleared before the output: \(shown)")
        }
    }
}
