import ArgumentParser
import CambSimulator
import Foundation
import Logging
import TTSTrack

/// `ttstrackd`: parse arguments, build the daemon, run it. All logic lives in TTSTrack.
@main
struct TTSTrackDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttstrackd",
        abstract: "Track asynchronous CAMB.AI tasks for other programs, over a Varlink socket.",
        version: TrackerService.version)

    @Option(name: .long, help: "YAML configuration file (default: /etc/ttstrack/ttstrackd.yaml when it exists).")
    var config: String?

    @Flag(name: .long, help: "Run against a built-in CAMB.AI simulator: no API key needed.")
    var demo = false

    @Option(name: .long, help: "Override store.path.")
    var store: String?

    @Option(name: .long, help: "Override control.socket.")
    var socket: String?

    @Option(name: .long, help: "Override log.level (trace, debug, info, notice, warning, error, critical).")
    var logLevel: String?

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        if demo && store == nil && environment["TTSTRACK_STORE_PATH"] == nil {
            environment["TTSTRACK_STORE_PATH"] =
                FileManager.default.currentDirectoryPath + "/.ttstrack-demo/tasks.sqlite3"
        }
        if let store { environment["TTSTRACK_STORE_PATH"] = store }
        if let socket { environment["TTSTRACK_CONTROL_SOCKET"] = socket }
        if let logLevel { environment["TTSTRACK_LOG_LEVEL"] = logLevel }
        let configFile = config
        let fixedEnvironment = environment
        var configuration: DaemonConfiguration
        do {
            configuration = try await DaemonConfiguration.load(file: configFile, environment: fixedEnvironment)
        } catch {
            Self.fail("ttstrackd: \(error)", code: 78)  // EX_CONFIG
        }
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = DaemonLogHandler(label: label, environment: fixedEnvironment)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ttstrackd")
        var apiKey = APIKeyLoader.load(environment: environment, keyFile: configuration.apiKeyFile)
        var simulator: CambSimulator?
        if demo {
            let sim = CambSimulator(apiKey: "demo-key", defaultBehavior: .successAfterSeconds(5), recordRequests: false)
            try await sim.start()
            simulator = sim
            configuration.apiBaseURL = sim.baseURL
            apiKey = APIKeyLoader.Found(key: "demo-key", source: "the demo simulator")
            FileHandle.standardOutput.write(
                Data(
                    """
                    ttstrackd demo: polling a built-in CAMB.AI simulator at \(sim.baseURL)
                      store:  \(configuration.storePath)
                      socket: \(configuration.socketPath)
                    In another terminal:
                      swift run ttstrack add demo-1 demo-2 sim-error-3 sim-404-4
                      swift run ttstrack wait --timeout 30 demo-1 demo-2
                      swift run ttstrack get demo-1 demo-2 sim-error-3 sim-404-4
                    Ids become SUCCESS after about 5 s; sim-error-…, sim-timeout-…, sim-404-… show the other outcomes.

                    """.utf8))
        }
        var reloader: Daemon.Reloader?
        if !demo {
            reloader = {
                let config = try await DaemonConfiguration.load(file: configFile, environment: fixedEnvironment)
                return (config, APIKeyLoader.load(environment: fixedEnvironment, keyFile: config.apiKeyFile))
            }
        }
        let finalConfiguration = configuration
        let daemon = Daemon(
            configuration: finalConfiguration, apiKey: apiKey, environment: environment, logger: logger,
            reloader: reloader)
        do {
            try await daemon.run()
        } catch {
            try? await simulator?.shutdown()
            Self.fail("ttstrackd: \(error)", code: 1)
        }
        try? await simulator?.shutdown()
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(code)
    }
}
