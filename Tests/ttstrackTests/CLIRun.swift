import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire

#if canImport(Glibc)
import Glibc
#endif

/// What one run of the built `ttstrack` binary did: its exit status and both outputs.
struct CLIResult: Sendable, CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Standard output parsed as one JSON document.
    func json() throws -> JSONValue {
        try JSONParser.parse(stdout)
    }

    var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }

    var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Runs the built `ttstrack` as a subprocess, as a user or a script would: outputs go to
/// files (no pipe can fill up and block it), standard input comes from a file when given.
/// Exit is waited for as a condition with a deadline; a run past it is killed and reported.
final class CLIRun: @unchecked Sendable {
    // @unchecked: set up in init, afterwards only read; Process may be queried from any thread.
    let process: Process
    let directory: String
    private let stdoutFile: String
    private let stderrFile: String

    static var binary: URL { DaemonProcess.productsDirectory.appendingPathComponent("ttstrack") }

    /// Starts `ttstrack arguments…` in a clean environment (PATH, HOME and `environment`).
    /// - Parameter terminal: where standard error goes instead of a file, to see what a person
    ///   at a terminal sees (``stderr`` is then empty).
    init(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
        stderrTerminal terminal: PseudoTerminal? = nil
    ) throws {
        directory = DaemonProcess.makeTemporaryDirectory(prefix: "ttstrack-cli")
        stdoutFile = "\(directory)/stdout"
        stderrFile = "\(directory)/stderr"
        _ = FileManager.default.createFile(atPath: stdoutFile, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile, contents: nil)
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory]
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = FileHandle(forWritingAtPath: stdoutFile)
        process.standardError = terminal?.terminal ?? FileHandle(forWritingAtPath: stderrFile)
        if let stdin {
            let inputFile = "\(directory)/stdin"
            _ = FileManager.default.createFile(atPath: inputFile, contents: Data(stdin.utf8))
            process.standardInput = FileHandle(forReadingAtPath: inputFile)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try launch(process)
        terminal?.closeTerminalSide()
        self.process = process
    }

    /// Standard output so far.
    var stdout: String { (try? String(contentsOfFile: stdoutFile, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrFile, encoding: .utf8)) ?? "" }

    struct Overdue: Error, CustomStringConvertible {
        let description: String
    }

    /// Waits for the exit; past `timeout` the process is killed and `Overdue` thrown.
    func finish(timeout: Duration = .seconds(20)) async throws -> CLIResult {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw Overdue(
                    description: "ttstrack \(process.arguments ?? []) ran over \(timeout): \(stdout) \(stderr)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// Waits until standard output has a line that satisfies `condition`, and returns it.
    func waitForLine(timeout: Duration = .seconds(15), where condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = stdout.split(separator: "\n").map(String.init).first(where: condition) { return line }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        if let line = stdout.split(separator: "\n").map(String.init).first(where: condition) { return line }
        throw Overdue(description: "no such line within \(timeout); stdout: \(stdout) stderr: \(stderr)")
    }

    /// Sends SIGINT (Ctrl-C) and waits for the end.
    func interrupt() async throws -> CLIResult {
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        return try await finish()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs to the end.
    static func run(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
        timeout: Duration = .seconds(20)
    ) async throws -> CLIResult {
        try await CLIRun(arguments, stdin: stdin, environment: environment).finish(timeout: timeout)
    }
}
