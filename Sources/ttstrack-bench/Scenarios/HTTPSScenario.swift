import Foundation
import TTSTrackTestSupport

/// `https`: what TLS costs. The daemon polls `tasks` ids at full speed (64 in flight) three
/// times in one run: plain HTTP/1.1, HTTPS with HTTP/1.1 (`api.http_version: http1`) and HTTPS
/// with HTTP/2 (`auto`, which the simulator offers by ALPN); checks/s and daemon CPU per check
/// of each, the HTTPS ones against plain HTTP. The certificates come from a CA made for the run
/// (`openssl`), trusted through `api.ca_file`.
struct HTTPSScenario {
    let context: BenchContext

    private struct Variant {
        var name: String
        var simulatorArguments: [String]
        var environment: [String: String]
    }

    private struct Measured {
        var checksPerSecond: Double
        var microsecondsPerCheck: Double?
    }

    func run() throws(BenchError) -> [BenchRow] {
        let directory = context.makeDirectory("https")
        let certificates: TestCertificates
        do {
            certificates = try TestCertificates(in: directory)
        } catch {
            throw BenchError("cannot make the test certificates: \(error)")
        }
        let tls = ["--tls-cert", certificates.valid.certificate, "--tls-key", certificates.valid.key]
        let variants = [
            Variant(name: "HTTP/1.1, plain", simulatorArguments: [], environment: [:]),
            Variant(
                name: "HTTPS, HTTP/1.1", simulatorArguments: tls,
                environment: ["TTSTRACK_API_CA_FILE": certificates.caFile, "TTSTRACK_API_HTTP_VERSION": "http1"]),
            Variant(
                name: "HTTPS, HTTP/2", simulatorArguments: tls,
                environment: ["TTSTRACK_API_CA_FILE": certificates.caFile, "TTSTRACK_API_HTTP_VERSION": "http2"]),
        ]
        var results: [Measured] = []
        for variant in variants {
            Progress.log("https: \(variant.name)")
            results.append(try measure(variant, directory: directory))
        }
        let plain = results[0]
        var rows: [BenchRow] = []
        for (variant, result) in zip(variants, results) {
            let isPlain = variant.name == variants[0].name
            rows.append(
                BenchRow(
                    figure: "status checks/s at 64 in flight, \(variant.name)", value: result.checksPerSecond,
                    reference: isPlain ? nil : plain.checksPerSecond, decimals: 0))
            rows.append(
                BenchRow(
                    figure: "daemon CPU per check (µs), \(variant.name)", value: result.microsecondsPerCheck,
                    reference: isPlain ? nil : plain.microsecondsPerCheck, decimals: 1))
        }
        return rows
    }

    private func measure(_ variant: Variant, directory: String) throws(BenchError) -> Measured {
        let simulator = try SimulatorProcess(directory: directory, arguments: variant.simulatorArguments)
        defer { simulator.stop() }
        Progress.log("camb-sim at \(simulator.baseURL)")
        let rig = try PollingRig(
            simulator: simulator, tasks: context.tasks, directory: directory, environment: variant.environment)
        defer { rig.stop() }
        let client = try rig.daemon.client()
        let daemonCPU = try CPUSampler(pid: rig.daemon.pid)
        let checksBefore = try rig.daemon.checksTotal(client)
        let started = ContinuousClock.now
        BenchContext.sleep(context.window)
        let checksAfter = try rig.daemon.checksTotal(client)
        let elapsed = (ContinuousClock.now - started).seconds
        let sample = try daemonCPU.sample()
        let failed = try rig.daemon.checksFailed(client)
        guard failed == 0 else {
            throw BenchError("\(variant.name): \(failed) checks failed: \(rig.daemon.stderr.suffix(1000))")
        }
        let checks = checksAfter - checksBefore
        Progress.log(
            "\(variant.name): \(checks) checks in \(BenchTable.format(elapsed)) s; daemon "
                + "\(BenchTable.format(sample.percentOfCore)) % of a core")
        return Measured(
            checksPerSecond: Double(checks) / elapsed,
            microsecondsPerCheck: checks > 0 ? sample.cpuSeconds / Double(checks) * 1e6 : nil)
    }
}
