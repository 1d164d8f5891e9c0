import TTSTrackTestSupport

extension DaemonFixture {
    /// `ttstrack arguments… --socket <the daemon's socket>`, run to the end. Here, not in
    /// the test support, so that the support does not depend on the CLI it helps to test.
    func run(_ arguments: [String], stdin: String? = nil) async throws -> CLIResult {
        try await CLIRun.run(arguments + ["--socket", socketPath], stdin: stdin)
    }

    /// Starts `ttstrack arguments… --socket …` and returns without waiting (for `watch`).
    func spawn(_ arguments: [String], stderrTerminal terminal: PseudoTerminal? = nil) throws -> CLIRun {
        try CLIRun(arguments + ["--socket", socketPath], stderrTerminal: terminal)
    }
}
