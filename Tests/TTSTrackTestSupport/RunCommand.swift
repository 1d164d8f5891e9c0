import Foundation

/// What a finished command printed and how it ended.
public struct CommandResult: Sendable {
    /// The exit status; -1 when the command could not be started.
    public let status: Int32
    /// Its standard output (standard error is discarded).
    public let output: String
}

/// Runs a command to its end, the first argument found on PATH (through `/usr/bin/env`):
/// `mount`, `dd`, `python3`, `setpriv`… Blocks the calling thread; call it through
/// ``blocking(_:)`` when the command talks to something in this process.
@discardableResult
public func runCommand(_ arguments: String...) -> CommandResult {
    runCommand(arguments)
}

/// ``runCommand(_:)-(String...)`` with the arguments as an array.
@discardableResult
public func runCommand(_ arguments: [String]) -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do {
        try launch(process)
    } catch {
        return CommandResult(status: -1, output: "")
    }
    // Read before waiting: a command that fills the pipe would otherwise never exit.
    let data = readAll(output.fileHandleForReading)
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
}
