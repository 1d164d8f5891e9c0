public import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Foundation's `Process.run()` is not safe to call from several threads at once on Linux
/// (crashes inside it were seen when parallel tests started daemons, CLIs and `openssl`
/// together); every test start goes through this one lock. A start takes milliseconds.
private let launching = Mutex(())

/// Starts `process`, one start at a time in the whole test process.
public func launch(_ process: Process) throws {
    try launching.withLock { _ in try process.run() }
}

/// Everything `handle` yields until end of file. Foundation's `readDataToEndOfFile()` traps on
/// `EINTR` (a signal such as a child's `SIGCHLD` landing on the reading thread); this retries.
public func readAll(_ handle: FileHandle) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    let fd = handle.fileDescriptor
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            data.append(contentsOf: buffer[0..<count])
        } else if count == 0 || errno != EINTR {
            return data
        }
    }
}
