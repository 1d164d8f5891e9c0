#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Linux thread niceness. Polling is background work: its threads run nicer than the control
/// socket's, so that under full load the scheduler lets a `Get` in first. Raising one's own
/// niceness needs no privilege.
enum ThreadPriority {
    /// Makes the calling thread `nice` (0–19); returns false when Linux refused.
    @discardableResult
    static func makeCurrentThreadNicer(_ nice: Int32) -> Bool {
        #if os(Linux)
        // setpriority(PRIO_PROCESS, tid) applies to one thread on Linux; the tid is the last
        // component of /proc/thread-self (a link to /proc/<pid>/task/<tid>).
        var buffer = [CChar](repeating: 0, count: 64)
        let length = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard length > 0 else { return false }
        let link = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let tid = link.split(separator: "/").last.flatMap({ id_t($0) }) else { return false }
        return setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, nice) == 0
        #else
        return false
        #endif
    }
}
