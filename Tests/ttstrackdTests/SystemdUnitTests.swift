import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The files that install ttstrackd as a system service: `systemd/` (units, sysusers.d,
/// tmpfiles.d) and `config/ttstrackd.yaml`. They are checked with systemd's own tools
/// (`systemd-analyze`, `systemd-sysusers`, `systemd-tmpfiles`, from the Debian package
/// `systemd`), and against the built daemon.
///
/// How `systemd-analyze verify` is kept quiet: the units are copied to a temporary directory
/// with `ExecStart=` pointing at the built `ttstrackd` (verify insists that every Exec*= command
/// exists and is executable; `ExecReload=/bin/kill` needs the package `procps`), and verify is
/// given the copies by absolute path, so their directory is searched first and the copy of
/// `ttstrackd.socket` is found for `Wants=`/`Also=`. Verify (systemd 252) checks neither
/// `User=`/`Group=`/`SocketGroup=` nor the `LoadCredential=` source, so no user `ttstrack` and
/// no `/etc/ttstrack/api-key` is needed. Anything it prints is a failure.
@Suite(.timeLimit(.minutes(1))) struct SystemdUnitTests {
    @Test func unitsPassSystemdAnalyzeVerifyWithoutAnyOutput() throws {
        guard let analyze = SystemdTool.find("systemd-analyze") else { return }
        let directory = DaemonProcess.makeTemporaryDirectory(prefix: "ttstrack-units")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let daemon = DaemonProcess.productsDirectory.appendingPathComponent("ttstrackd").path
        #expect(FileManager.default.isExecutableFile(atPath: daemon), "the built daemon is at \(daemon)")
        let service = try RepoFile.text("systemd/ttstrackd.service")
        #expect(service.contains("\nExecStart=/usr/local/bin/ttstrackd\n"))
        let rewritten = service.replacingOccurrences(
            of: "\nExecStart=/usr/local/bin/ttstrackd\n", with: "\nExecStart=\(daemon)\n")
        try rewritten.write(toFile: "\(directory)/ttstrackd.service", atomically: true, encoding: .utf8)
        try RepoFile.text("systemd/ttstrackd.socket")
            .write(toFile: "\(directory)/ttstrackd.socket", atomically: true, encoding: .utf8)

        let result = try SystemdTool.run(
            analyze, ["verify", "\(directory)/ttstrackd.service", "\(directory)/ttstrackd.socket"])
        var hint = ""
        if result.output.contains("/bin/kill") {
            hint = " (ExecReload= needs /bin/kill: install the Debian package procps)"
        }
        #expect(result.output.isEmpty, "systemd-analyze verify printed:\n\(result.output)\(hint)")
        #expect(result.status == 0, "systemd-analyze verify exited with \(result.status)")
    }

    @Test func serviceExposureIsAtMostOneAndAHalf() throws {
        guard let analyze = SystemdTool.find("systemd-analyze") else { return }
        let unit = RepoFile.url("systemd/ttstrackd.service").path
        let result = try SystemdTool.run(analyze, ["security", "--offline=true", "--no-pager", unit])
        #expect(result.status == 0, "systemd-analyze security exited with \(result.status):\n\(result.output)")
        let exposure = result.output.split(separator: "\n").lazy.compactMap { line -> Double? in
            guard line.contains("Overall exposure level for"), let colon = line.lastIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...].drop { $0 == " " }.prefix { $0.isNumber || $0 == "." }
            return Double(value)
        }.first
        let level = try #require(exposure, "no \"Overall exposure level\" line in:\n\(result.output)")
        #expect(level <= 1.5, "exposure \(level) > 1.5:\n\(result.output)")
    }

    @Test func unitsAgreeWithEachOtherAndWithTheDaemonsDefaults() throws {
        let service = try UnitFile(RepoFile.text("systemd/ttstrackd.service"))
        let socket = try UnitFile(RepoFile.text("systemd/ttstrackd.socket"))
        // The socket unit listens where the daemon would bind under the service's RuntimeDirectory=,
        // which is also where the client looks.
        let runtime = try #require(service["RuntimeDirectory"])
        let listen = try #require(socket["ListenStream"])
        #expect(listen == DefaultSocketPath.resolve(environment: ["RUNTIME_DIRECTORY": "/run/\(runtime)"]))
        #expect(listen == DefaultSocketPath.resolve(environment: [:], uid: 0))
        #expect(
            service["RuntimeDirectoryPreserve"] == "yes",
            "stopping the service must not delete the socket unit's socket")
        #expect(socket["SocketMode"] == "0660" && socket["Accept"] == "no")
        #expect(socket["SocketGroup"] == service["Group"])
        #expect(service["Type"] == "notify")
        #expect(service["StateDirectory"] == "ttstrack" && service["ConfigurationDirectory"] == "ttstrack")
        #expect(service["LoadCredential"] == "camb-api-key:/etc/ttstrack/api-key")
        #expect(service.values("Wants").contains { $0.split(separator: " ").contains("ttstrackd.socket") })
        #expect(service.values("After").contains { $0.split(separator: " ").contains("ttstrackd.socket") })
        // The user and group come from sysusers.d.
        let sysusers = try RepoFile.text("systemd/ttstrack.sysusers").split(separator: "\n")
            .filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").map(String.init) }
        #expect(sysusers.contains { $0.count >= 2 && $0[0] == "g" && $0[1] == service["Group"] })
        #expect(sysusers.contains { $0.count >= 2 && $0[0] == "u" && $0[1] == service["User"] })
    }

    @Test func sysusersAndTmpfilesEntriesApplyCleanly() throws {
        guard let sysusers = SystemdTool.find("systemd-sysusers"), let tmpfiles = SystemdTool.find("systemd-tmpfiles")
        else { return }
        let root = DaemonProcess.makeTemporaryDirectory(prefix: "ttstrack-root")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/etc", withIntermediateDirectories: true)
        let users = try SystemdTool.run(
            sysusers, ["--root=\(root)", "-"], input: RepoFile.url("systemd/ttstrack.sysusers").path)
        #expect(users.status == 0, "systemd-sysusers:\n\(users.output)")
        let unexpected = users.output.split(separator: "\n").filter { !$0.hasPrefix("Creating ") }
        #expect(unexpected.isEmpty, "systemd-sysusers printed:\n\(users.output)")
        let passwd = try String(contentsOfFile: "\(root)/etc/passwd", encoding: .utf8)
        #expect(passwd.contains("ttstrack:x:") && passwd.contains(":/var/lib/ttstrack:"))

        let files = try SystemdTool.run(
            tmpfiles, ["--root=\(root)", "--create", "-"], input: RepoFile.url("systemd/ttstrack.tmpfiles").path)
        if geteuid() == 0 {
            #expect(files.status == 0 && files.output.isEmpty, "systemd-tmpfiles:\n\(files.output)")
        } else {
            // Only root may chown to ttstrack; anything else printed is a real problem.
            let other = files.output.split(separator: "\n").filter { !$0.contains("Operation not permitted") }
            #expect(other.isEmpty, "systemd-tmpfiles printed:\n\(files.output)")
        }
        var info = stat()
        #expect(stat("\(root)/etc/ttstrack", &info) == 0 && info.st_mode & 0o7777 == 0o750)
        #expect(stat("\(root)/var/lib/ttstrack", &info) == 0 && info.st_mode & 0o7777 == 0o750)
    }

    @Test func shippedConfigIsAcceptedByTheBuiltDaemon() async throws {
        let daemon = try DaemonProcess(arguments: ["--config", RepoFile.url("config/ttstrackd.yaml").path])
        try await daemon.waitUntilReady()
        #expect(await daemon.stop() == 0, "ttstrackd with config/ttstrackd.yaml:\n\(daemon.stderr)")
    }

    @Test func shippedConfigNamesEveryKeyAndChangesNoDefault() async throws {
        let loader = try RepoFile.text("Sources/TTSTrack/Service/DaemonConfiguration+Loading.swift")
        // Every `try string("api.base_url", …)`, `try double(…)`, `try int(…)` in the loader.
        let pattern = try NSRegularExpression(pattern: #"try (?:string|double|int)\("([a-z_]+\.[a-z_]+)""#)
        let read = pattern.matches(in: loader, range: NSRange(loader.startIndex..., in: loader)).compactMap {
            Range($0.range(at: 1), in: loader).map { String(loader[$0]) }
        }
        let contract = [
            "api.base_url", "api.key_file", "api.timeout", "store.path", "control.socket", "control.mode",
            "poll.first_delay", "poll.min_interval", "poll.max_interval", "poll.backoff", "poll.rate", "poll.burst",
            "poll.concurrency", "poll.give_up_after", "poll.not_found_after",
        ]
        #expect(Set(contract).isSubset(of: read), "the loader reads \(read)")
        let documented = ShippedConfig.keys(try RepoFile.text("config/ttstrackd.yaml"))
        for key in read {
            #expect(documented.contains(key), "config/ttstrackd.yaml does not mention \(key)")
        }
        // Its values are the defaults: loading it gives what no file at all gives.
        let environment = ["TTSTRACK_CONFIG": "/nonexistent/ttstrackd.yaml"]
        let shipped = try await DaemonConfiguration.load(
            file: RepoFile.url("config/ttstrackd.yaml").path, environment: environment)
        let defaults = try await DaemonConfiguration.load(file: nil, environment: environment)
        #expect(shipped == defaults)
    }
}

/// A file of this repository, found from this source file's path.
private enum RepoFile {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: url(relative), encoding: .utf8)
    }
}

/// `KEY=value` lines of a unit file (comments and section headers skipped).
private struct UnitFile {
    let entries: [(key: String, value: String)]

    init(_ text: String) {
        entries = text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), !line.hasPrefix(";"), !line.hasPrefix("["),
                let equals = line.firstIndex(of: "=")
            else { return nil }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }
    }

    func values(_ key: String) -> [String] { entries.filter { $0.key == key }.map(\.value) }
    /// The last value of `key`, as systemd's single-valued settings read it.
    subscript(_ key: String) -> String? { values(key).last }
}

/// The `section.key` names in the shipped YAML: set (`  key: value`) or shown commented out
/// (`  # key: value`), under a top-level `section:`.
private enum ShippedConfig {
    static func keys(_ text: String) -> Set<String> {
        var keys: Set<String> = []
        var section: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first.isLetter, line.hasSuffix(":") {
                section = String(line.dropLast())
                continue
            }
            guard let section, line.hasPrefix("  "), line.dropFirst(2).first != " " else { continue }
            var body = line.dropFirst(2)
            if body.hasPrefix("# ") { body = body.dropFirst(2) }
            let name = body.prefix { $0.isLowercase || $0 == "_" }
            if !name.isEmpty, body.dropFirst(name.count).hasPrefix(": "), body.count > name.count + 2 {
                keys.insert("\(section).\(name)")
            }
        }
        return keys
    }
}

/// Runs systemd's command-line tools.
private enum SystemdTool {
    /// The tool's path; records a failing issue when it is not installed (never a silent skip).
    static func find(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        if let found = directories.map({ "\($0)/\(name)" }).first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) {
            return found
        }
        Issue.record(
            "\(name) is not installed, so the systemd units cannot be checked: install the Debian package systemd (scripts/setup systemd)",
            sourceLocation: sourceLocation)
        return nil
    }

    struct Result {
        let status: Int32
        /// Standard output and standard error together, as the tool printed them.
        let output: String
    }

    /// Runs `tool` to completion; `input` is a file for standard input.
    static func run(_ tool: String, _ arguments: [String], input: String? = nil) throws -> Result {
        let directory = DaemonProcess.makeTemporaryDirectory(prefix: "ttstrack-tool")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outputPath = "\(directory)/output"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SYSTEMD_PAGER"] = "cat"
        environment["SYSTEMD_COLORS"] = "0"
        environment["SYSTEMD_LOG_COLOR"] = "0"
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        process.standardInput =
            try input.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) } ?? FileHandle.nullDevice
        try launch(process)
        process.waitUntilExit()
        try output.close()
        let text = try String(contentsOfFile: outputPath, encoding: .utf8)
        return Result(status: process.terminationStatus, output: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
