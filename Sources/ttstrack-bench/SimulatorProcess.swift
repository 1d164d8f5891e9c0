import Foundation
import TTSTrackTestSupport

/// `camb-sim --port 0 --always-pending --quiet`, started beside the benchmark binary; knows
/// its port once it has printed its listening line. `arguments` go on its command line
/// (`--tls-cert FILE --tls-key FILE` for HTTPS).
final class SimulatorProcess {
    static let apiKey = "sim-key"

    let child: ChildProcess
    let baseURL: String

    init(
        directory: String, arguments: [String] = [], alwaysPending: Bool = true, timeout: Duration = .seconds(20)
    ) throws(BenchError) {
        let binary = DaemonProcess.productsDirectory.appendingPathComponent("camb-sim").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("no camb-sim beside the benchmark at \(binary): build it with --product camb-sim")
        }
        let child = try ChildProcess(
            name: "camb-sim", executable: binary,
            arguments: ["--port", "0", "--quiet", "--api-key", Self.apiKey]
                + (alwaysPending ? ["--always-pending"] : [])
                + arguments,
            logDirectory: directory)
        self.child = child
        // "camb-sim listening on http://127.0.0.1:PORT (api key: sim-key)"
        let deadline = ContinuousClock.now + timeout
        while true {
            let text = child.stdout
            if let range = text.range(of: "listening on "),
                let end = text[range.upperBound...].firstIndex(where: { $0 == " " || $0 == "\n" })
            {
                baseURL = String(text[range.upperBound..<end])
                return
            }
            guard child.isRunning else {
                throw BenchError("camb-sim exited before listening: \(child.stderr)")
            }
            guard ContinuousClock.now < deadline else {
                child.stop(signal: SIGKILL)
                throw BenchError("camb-sim did not print its address within \(timeout)")
            }
            usleep(5_000)
        }
    }

    var pid: Int32 { child.pid }

    func stop() { child.stop() }
}
