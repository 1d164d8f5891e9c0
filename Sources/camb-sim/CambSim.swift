import ArgumentParser
import CambSimulator
import Dispatch
import Foundation

/// `camb-sim`: runs the CAMB.AI API simulator as a standalone process, for demos,
/// out-of-process tests of the daemon and load benchmarks with `wrk`.
@main
struct CambSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "camb-sim",
        abstract: "Fake CAMB.AI HTTP API on loopback.",
        discussion: """
            Status paths: /{tts,translated-tts,dub,translate,transcribe,text-to-sound,text-to-voice,
            audio-separation,story,translated-story,project-setup,sub}/{task_id};
            results: /tts-result/{run_id}[?output_type=FILE_URL].
            Magic task id prefixes: sim-error-, sim-harmful-, sim-timeout-, sim-payment-,
            sim-404-, sim-pending-, sim-queued-, sim-slow-.
            """
    )

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind (0 = ephemeral).")
    var port = 8080

    @Option(name: .customLong("api-key"), help: "Required x-api-key value.")
    var apiKey = "sim-key"

    @Flag(name: .customLong("any-key"), help: "Accept any (or no) api key.")
    var anyKey = false

    @Option(name: .customLong("success-after"), help: "PENDING checks before SUCCESS for ordinary ids.")
    var successAfter = 3

    @Option(
        name: .customLong("success-after-seconds"), help: "Instead: SUCCESS this many seconds after the first check.")
    var successAfterSeconds: Double?

    @Flag(name: .customLong("always-pending"), help: "Answer PENDING forever for ordinary ids (benchmark fast path).")
    var alwaysPending = false

    @Option(name: .customLong("base-path"), help: "Optional path prefix, e.g. /apis.")
    var basePath = ""

    @Option(help: "Event loop threads.")
    var threads = 1

    @Flag(help: "No periodic request statistics on stderr.")
    var quiet = false

    @Option(name: .customLong("tls-cert"), help: "Serve HTTPS with this certificate chain (PEM); needs --tls-key.")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "The private key (PEM) of --tls-cert.")
    var tlsKey: String?

    @Flag(name: .customLong("no-http2"), help: "With TLS, offer only HTTP/1.1 (by default h2 is offered too).")
    var noHTTP2 = false

    @Option(name: .customLong("audio-bytes"), help: "Size of every fake audio result.")
    var audioBytes = SimAudio.defaultSize

    @Option(
        help: ArgumentHelp(
            "Durations per kind for ordinary ids, e.g. tts=lognormal:6:0.35,dub=lognormal:30:0.3 (also uniform:LOW:HIGH, fixed:SECONDS), from each task's first request.",
            valueName: "KIND=LAW,…"))
    var durations: String?

    @Option(help: "Seed of the durations drawn per task.")
    var seed: UInt64 = 1

    func validate() throws {
        if let durations {
            do {
                _ = try TaskDurations(parsing: durations, seed: seed)
            } catch {
                throw ValidationError(
                    "--durations takes KIND=lognormal:MEDIAN:SIGMA, KIND=uniform:LOW:HIGH or KIND=fixed:SECONDS, comma-separated, not \"\(durations)\""
                )
            }
        }
        guard (tlsCertificate == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard threads >= 1 else { throw ValidationError("--threads must be >= 1") }
        guard successAfter >= 0 else { throw ValidationError("--success-after must be >= 0") }
    }

    func run() async throws {
        let behavior: CambSimulator.DefaultBehavior =
            if alwaysPending { .alwaysPending } else if let successAfterSeconds {
                .successAfterSeconds(successAfterSeconds)
            } else { .successAfterChecks(successAfter) }
        let key: String? = anyKey ? nil : apiKey
        // Records would grow without bound in a long-running process that nobody queries.
        let simulator = CambSimulator(
            apiKey: key,
            defaultBehavior: behavior,
            recordRequests: false,
            basePath: basePath,
            threads: threads
        )
        var tls: SimTLS?
        if let tlsCertificate, let tlsKey {
            do {
                tls = try SimTLS(certificateFile: tlsCertificate, keyFile: tlsKey, offerHTTP2: !noHTTP2)
            } catch {
                throw ValidationError("cannot use --tls-cert \(tlsCertificate) and --tls-key \(tlsKey): \(error)")
            }
        }
        simulator.setAudioSize(audioBytes)
        if let durations { simulator.setDurations(try TaskDurations(parsing: durations, seed: seed)) }
        try await simulator.start(host: host, port: port, tls: tls)

        let keyText = key.map { "api key: \($0)" } ?? "any api key"
        FileHandle.standardOutput.write(Data("camb-sim listening on \(simulator.baseURL) (\(keyText))\n".utf8))

        let stats = quiet ? nil : Task { await Self.reportStats(simulator) }
        await Self.waitForTerminationSignal()
        stats?.cancel()
        try await simulator.shutdown()
        if !quiet {
            FileHandle.standardError.write(
                Data("camb-sim: stopped after \(simulator.totalRequests()) status requests\n".utf8))
        }
    }

    /// Prints a line to stderr every 5 s while the request total changes.
    private static func reportStats(_ simulator: CambSimulator) async {
        var last = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(5))
            if Task.isCancelled { return }
            let total = simulator.totalRequests()
            if total != last {
                let line =
                    "camb-sim: \(total) status requests (+\(total - last)), max concurrent \(simulator.maxConcurrentRequests())\n"
                FileHandle.standardError.write(Data(line.utf8))
                last = total
            }
        }
    }

    /// Suspends until SIGINT or SIGTERM arrives.
    private static func waitForTerminationSignal() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "camb-sim.signals")
            let once = SignalOnce(continuation)
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler { once.fire() }
                source.resume()
                once.keep(source)
            }
        }
    }
}
