import Foundation

/// The machine and tools the figures were measured with, printed with the table.
enum BenchEnvironment {
    static func describe(commandLine: String) -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let model = cpuModel() ?? "unknown CPU"
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        let kernel = firstLine(ChildProcess.output(of: "uname", ["-sr"])) ?? "unknown kernel"
        let swift = firstLine(ChildProcess.output(of: "swift", ["--version"])) ?? "swift not on PATH"
        let sqlite =
            firstLine(ChildProcess.output(of: "sqlite3", ["--version"])).map {
                "SQLite \($0.split(separator: " ").first ?? "")"
            }
            ?? "sqlite3 shell not installed"
        let wrk =
            firstLine(ChildProcess.output(of: "wrk", ["-v"])).map {
                $0.split(separator: " ").prefix(2).joined(separator: " ")
            }
            ?? "wrk not installed"
        let date = ISO8601DateFormatter().string(from: Date())
        let load =
            (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
            .map { $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "unknown"
        return """
            - command: `\(commandLine)`
            - machine: \(cores) cores (\(model)), \(String(format: "%.0f", memory)) GiB, \(kernel)
            - tools: \(swift); \(sqlite) (shell; the daemon links the system libsqlite3); \(wrk)
            - date: \(date); load average at the end \(load) (other work on the machine skews the figures)
            """
    }

    private static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    private static func firstLine(_ text: String?) -> String? {
        guard let line = text?.split(separator: "\n").first else { return nil }
        return String(line).trimmingCharacters(in: .whitespaces)
    }
}
