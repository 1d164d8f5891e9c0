import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `Foundation.Process`, its output going to files in a
/// directory the benchmark owns; registered with ``Cleanup`` until it has ended.
final class ChildProcess {
    let name: String
    let process: Process
    let stdoutPath: String
    let stderrPath: String

    init(
        name: String, executable: String, arguments: [String], environment: [String: String]? = nil,
        logDirectory: String
    ) throws(BenchError) {
        self.name = name
        stdoutPath = "\(logDirectory)/\(name).stdout"
        stderrPath = "\(logDirectory)/\(name).stderr"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw BenchError("cannot start \(executable): \(error.localizedDescription)")
        }
        self.process = process
        Cleanup.shared.register(pid: process.processIdentifier)
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits for the process to end by itself; kills it and throws after `timeout`.
    @discardableResult
    func waitForExit(timeout: Duration) throws(BenchError) -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                stop(signal: SIGKILL)
                throw BenchError("\(name) did not finish within \(timeout)")
            }
            usleep(2_000)
        }
        Cleanup.shared.unregister(pid: pid)
        return process.terminationStatus
    }

    /// Sends `signal`, waits up to `timeout`, then SIGKILL; returns the exit status (-1 when killed).
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) -> Int32 {
        Self.stop(process, signal: signal, timeout: timeout)
    }

    /// The same for any `Process`.
    @discardableResult
    static func stop(_ process: Process, signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) -> Int32 {
        let pid = process.processIdentifier
        if process.isRunning { kill(pid, signal) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(2_000) }
        var status: Int32 = -1
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        } else {
            status = process.terminationStatus
        }
        Cleanup.shared.unregister(pid: pid)
        return status
    }

    /// The full path of `command` on `PATH`, or nil.
    static func find(_ command: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a short command and returns its standard output and error, or nil when it cannot run.
    static func output(of command: String, _ arguments: [String]) -> String? {
        guard let executable = find(command) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
