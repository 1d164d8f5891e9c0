import Foundation

/// The reference for status checks: `wrk` hammering the same simulator endpoint with the
/// same concurrency the daemon uses.
enum Wrk {
    struct Result {
        var requestsPerSecond: Double
        /// The simulator's CPU share (% of a core) while wrk ran.
        var simulatorCPUPercent: Double?
        /// wrk's own CPU share (% of a core), sampled until just before it ends.
        var wrkCPUPercent: Double?
    }

    static let installHint = "wrk not found: run `apt-get install wrk` (or scripts/setup wrk) for the reference"

    /// Runs `wrk -t1 -c<connections> -d<seconds>s -H 'x-api-key: …' url`; nil when wrk is
    /// not installed.
    static func run(
        url: String, apiKey: String, seconds: Int, connections: Int = 64, simulatorPID: Int32?, directory: String
    ) throws(BenchError) -> Result? {
        guard let executable = ChildProcess.find("wrk") else { return nil }
        let simCPU = try simulatorPID.map { pid throws(BenchError) in try CPUSampler(pid: pid) }
        let child = try ChildProcess(
            name: "wrk", executable: executable,
            arguments: ["-t1", "-c\(connections)", "-d\(seconds)s", "-H", "x-api-key: \(apiKey)", url],
            logDirectory: directory)
        let wrkCPU = try? CPUSampler(pid: child.pid)
        BenchContext.sleep(.seconds(Double(seconds) - 0.25))
        let wrkPercent = try? wrkCPU?.sample().percentOfCore
        let simPercent = try simCPU?.sample().percentOfCore
        let status = try child.waitForExit(timeout: .seconds(seconds + 30))
        let output = child.stdout
        guard status == 0, let rate = parseRequestsPerSecond(output) else {
            throw BenchError("wrk failed (status \(status)): \(output) \(child.stderr)")
        }
        if let errors = output.split(separator: "\n").first(where: {
            $0.contains("Non-2xx") || $0.contains("Socket errors")
        }) {
            Progress.log("wrk: \(errors.trimmingCharacters(in: .whitespaces))")
        }
        return Result(requestsPerSecond: rate, simulatorCPUPercent: simPercent, wrkCPUPercent: wrkPercent)
    }

    /// The number on wrk's `Requests/sec:   12345.67` line.
    static func parseRequestsPerSecond(_ output: String) -> Double? {
        for line in output.split(separator: "\n") where line.hasPrefix("Requests/sec:") {
            return Double(line.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
