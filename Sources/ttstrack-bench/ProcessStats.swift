import Foundation
import TTSTrackTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Readers of `/proc/PID/…`: CPU time and memory of a child process.
enum ProcessStats {
    /// Clock ticks per second, for the tick counts in `/proc/PID/stat`.
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// User plus system CPU time in seconds (fields 14 and 15 of `/proc/PID/stat`).
    static func cpuSeconds(pid: Int32) throws(BenchError) -> Double {
        let fields = try statFields(pid: pid)
        // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw BenchError("cannot parse /proc/\(pid)/stat")
        }
        return (user + system) / ticksPerSecond
    }

    /// CPU time the whole machine has spent busy since boot, in seconds summed over its cores
    /// (the first line of `/proc/stat`: user, nice, system, irq, softirq and steal; not idle
    /// or iowait).
    static func machineBusySeconds() throws(BenchError) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { throw BenchError("cannot read /proc/stat") }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 8 else { throw BenchError("cannot parse /proc/stat") }
        let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
        return busy / ticksPerSecond
    }

    /// Whether the process exists and is not a zombie.
    static func isAlive(pid: Int32) -> Bool {
        guard let fields = try? statFields(pid: pid) else { return false }
        return fields.first != "Z" && fields.first != "X"
    }

    /// Resident set size now (`VmRSS`) in MiB.
    static func residentMiB(pid: Int32) throws(BenchError) -> Double {
        try statusKiB(pid: pid, key: "VmRSS") / 1024
    }

    /// Peak resident set size (`VmHWM`) in MiB.
    static func peakResidentMiB(pid: Int32) throws(BenchError) -> Double {
        try statusKiB(pid: pid, key: "VmHWM") / 1024
    }

    /// Context switches of each of the process's threads so far (voluntary and not, from each
    /// `/proc/PID/task/TID/status`), by thread id: each is a thread that woke up and went back to
    /// sleep, or was preempted, so their rate counts the process's wake-ups.
    static func contextSwitchesByThread(pid: Int32) throws(BenchError) -> [String: Int] {
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else {
            throw BenchError("cannot list /proc/\(pid)/task")
        }
        var counts: [String: Int] = [:]
        for thread in threads {
            let path = "/proc/\(pid)/task/\(thread)/status"
            guard let voluntary = ProcFS.statusValue(path: path, key: "voluntary_ctxt_switches"),
                let involuntary = ProcFS.statusValue(path: path, key: "nonvoluntary_ctxt_switches")
            else { continue }
            counts[thread] = Int(voluntary + involuntary)
        }
        return counts
    }

    private static func statFields(pid: Int32) throws(BenchError) -> [Substring] {
        guard let fields = ProcFS.statFields("/proc/\(pid)/stat") else {
            throw BenchError("cannot read /proc/\(pid)/stat")
        }
        return fields
    }

    private static func statusKiB(pid: Int32, key: String) throws(BenchError) -> Double {
        guard let value = ProcFS.statusKiB(pid: pid, key: key) else {
            throw BenchError("no \(key) in /proc/\(pid)/status")
        }
        return value
    }
}

/// CPU time of one process over an interval of wall-clock time.
struct CPUSampler {
    let pid: Int32
    private let startCPU: Double
    private let startTime: ContinuousClock.Instant

    init(pid: Int32) throws(BenchError) {
        self.pid = pid
        startCPU = try ProcessStats.cpuSeconds(pid: pid)
        startTime = .now
    }

    struct Sample {
        /// CPU seconds used in the interval.
        var cpuSeconds: Double
        /// Wall-clock seconds of the interval.
        var wallSeconds: Double
        /// Share of one core, in percent.
        var percentOfCore: Double { wallSeconds > 0 ? cpuSeconds / wallSeconds * 100 : 0 }
    }

    func sample() throws(BenchError) -> Sample {
        let cpu = try ProcessStats.cpuSeconds(pid: pid)
        return Sample(cpuSeconds: cpu - startCPU, wallSeconds: (ContinuousClock.now - startTime).seconds)
    }
}
