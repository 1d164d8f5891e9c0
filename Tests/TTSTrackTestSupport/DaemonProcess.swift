public import Foundation
import TTSTrackWire

#if canImport(Glibc)
import Glibc
#endif

/// The real `ttstrackd` binary, started on a temporary socket and directory: what integration
/// tests, CLI tests and the benchmark drive. Readiness is waited for as a condition (the
/// socket answers), never as a fixed sleep.
public final class DaemonProcess: @unchecked Sendable {
    // @unchecked: `process` and the pipes are set once in init and only read afterwards;
    // Foundation's Process is safe to query and signal from any thread.

    public let directory: String
    public let socketPath: String
    public let storePath: String
    public let process: Process
    private let stderrFile: String
    private let stdoutFile: String

    /// Where the built products are: beside the running test bundle or benchmark.
    public static var productsDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["TTSTRACK_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        url.deleteLastPathComponent()
        // Inside an .xctest bundle directory (macOS layout) walk up to the products directory.
        while url.path.contains(".xctest") { url.deleteLastPathComponent() }
        return url
    }

    /// A fresh temporary directory, removed when the test process exits (kept when
    /// `TTSTRACK_KEEP_TEST_DIRS` is set, e.g. by scripts/sanitize, whose reports land there).
    public static func makeTemporaryDirectory(prefix: String = "ttstrack") -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let path = template.withUnsafeMutableBufferPointer { buffer in
            String(cString: mkdtemp(buffer.baseAddress!)!)
        }
        TemporaryDirectories.register(path)
        return path
    }

    /// Starts `ttstrackd` with `environment` added to a clean one (PATH, HOME only).
    /// - Parameters:
    ///   - directory: reuse a directory (to restart on the same store); a new one when nil.
    public init(
        environment: [String: String] = [:], arguments: [String] = [], directory: String? = nil,
        binary: String = "ttstrackd"
    ) throws {
        let directory = directory ?? Self.makeTemporaryDirectory()
        self.directory = directory
        self.socketPath = environment["TTSTRACK_CONTROL_SOCKET"] ?? "\(directory)/control.sock"
        self.storePath = environment["TTSTRACK_STORE_PATH"] ?? "\(directory)/tasks.sqlite3"
        var env: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": directory,
            "TTSTRACK_CONTROL_SOCKET": socketPath,
            "TTSTRACK_STORE_PATH": storePath,
            "TTSTRACK_CONFIG": "\(directory)/none.yaml",
        ]
        // Sanitizer settings reach the daemon too (scripts/sanitize sets them).
        for name in ["ASAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"] {
            if let value = ProcessInfo.processInfo.environment[name] { env[name] = value }
        }
        env.merge(environment) { _, new in new }
        let process = Process()
        process.executableURL = Self.productsDirectory.appendingPathComponent(binary)
        process.arguments = arguments
        process.environment = env
        let stamp = UUID().uuidString.prefix(8)
        stderrFile = "\(directory)/stderr-\(stamp).log"
        stdoutFile = "\(directory)/stdout-\(stamp).log"
        _ = FileManager.default.createFile(atPath: stderrFile, contents: nil)
        _ = FileManager.default.createFile(atPath: stdoutFile, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: stderrFile)
        process.standardOutput = FileHandle(forWritingAtPath: stdoutFile)
        process.standardInput = FileHandle.nullDevice
        try launch(process)
        self.process = process
    }

    /// What the daemon wrote to standard error so far.
    public var stderr: String { (try? String(contentsOfFile: stderrFile, encoding: .utf8)) ?? "" }
    public var stdout: String { (try? String(contentsOfFile: stdoutFile, encoding: .utf8)) ?? "" }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public struct NotReady: Error, CustomStringConvertible {
        public let description: String
    }

    /// Waits until the socket answers a call (or the process dies, or `timeout` passes).
    public func waitUntilReady(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw NotReady(description: "ttstrackd exited with \(process.terminationStatus): \(stderr)")
            }
            if let client = try? VarlinkClient(path: socketPath),
                (try? client.call("org.varlink.service.GetInfo")) != nil
            {
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw NotReady(description: "ttstrackd did not answer on \(socketPath) within \(timeout): \(stderr)")
    }

    /// A new connection.
    package func client() throws -> VarlinkClient {
        try VarlinkClient(path: socketPath)
    }

    /// Sends `signal` and waits for the process to end; returns its exit status. Safe to call
    /// again: a process that has ended gets no signal and its status is returned as it was.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        return await waitForExit(timeout: timeout)
    }

    /// Waits for the process to end by itself; returns its exit status (or -1 on timeout).
    public func waitForExit(timeout: Duration = .seconds(20)) async -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }
}

/// Runs blocking client work off the cooperative pool, so tests that wait on the daemon
/// never starve the tasks that drive it.
public func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
