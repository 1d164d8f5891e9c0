public import Logging
import NIOPosix
import ServiceLifecycle
import TTSTrackWire
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Puts the parts together and runs them until SIGTERM/SIGINT:
/// Varlink ─▶ TrackerService ─▶ TaskStore ◀─ Scheduler ─▶ CambClient, with the change events
/// of each commit flowing from the store to Wait and Watch through the ChangeHub.
public final class Daemon: Sendable {
    /// What a reload produces: a new configuration and key.
    public typealias Reloader = @Sendable () async throws -> (DaemonConfiguration, APIKeyLoader.Found?)

    private let configuration: DaemonConfiguration
    private let apiKey: APIKeyLoader.Found?
    let environment: [String: String]
    let logger: Logger
    private let reloader: Reloader?

    public init(
        configuration: DaemonConfiguration, apiKey: APIKeyLoader.Found?, environment: [String: String],
        logger: Logger, reloader: Reloader? = nil
    ) {
        self.configuration = configuration
        self.apiKey = apiKey
        self.environment = environment
        self.logger = logger
        self.reloader = reloader
    }

    /// The log line for a daemon without a key: it runs, takes Adds and answers, but checks nothing.
    static func noKeyMessage(keyFile: String) -> String {
        "No API key set: tasks are kept but not checked until there is one. Put the key in \(keyFile) "
            + "(or set CAMB_API_KEY or the credential camb-api-key), then restart ttstrackd"
    }

    /// Runs the daemon; returns after a graceful stop. Throws when it cannot start.
    public func run() async throws {
        let config = configuration
        // metrics.listen: the facade's backend is set before any part makes its handles.
        let metricsAddress = try config.metricsAddress
        let metricsFactory = metricsAddress.map { _ in DaemonMetricsFactory.bootstrap() }
        try ControlSocket.makeDirectories(ControlSocket.parent(of: config.storePath))
        // The control socket's I/O, its connections' tasks and the store's reader share one loop
        // of their own: at full polling speed the other threads are busy with status requests,
        // and a Get must neither queue behind them nor hop between threads.
        let controlLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let store: TaskStore
        let hub = ChangeHub()
        do {
            store = try TaskStore(path: config.storePath, readerExecutor: controlLoop.next().executor, hub: hub)
        } catch {
            try? await controlLoop.shutdownGracefully()
            throw error
        }
        let notifier = SystemdNotifier(environment: environment)
        let target: ListenTarget
        var controlSocket: ControlSocket?
        if let fd = SocketActivation.listeningSocket(environment: environment) {
            target = .inherited(fd: fd)
            SocketActivation.clearEnvironment()
        } else {
            do {
                controlSocket = try ControlSocket(path: config.socketPath)
            } catch {
                try? await controlLoop.shutdownGracefully()
                throw error
            }
            target = .path(config.socketPath, mode: config.socketMode)
        }
        let socketGuard = controlSocket
        if let apiKey {
            logger.info("API key loaded", metadata: ["ttstrack.key_source": "\(apiKey.source)"])
        } else {
            logger.error("\(Self.noKeyMessage(keyFile: config.apiKeyFile))")
        }
        let settings: CambClient.Settings
        do {
            settings = try config.clientSettings(apiKey: apiKey?.key, environment: environment)
        } catch {
            socketGuard?.removeSocketFile()
            try? await controlLoop.shutdownGracefully()
            throw error
        }
        if let proxy = settings.transport.proxy {
            logger.info("Using a proxy", metadata: ["ttstrack.proxy": "\(proxy)"])
        }
        let client = CambClient(
            settings: settings, maxConnections: 1024, userAgent: "ttstrackd/\(TrackerService.version)")
        /// What a start that fails from here on, and every stop, lets go of.
        func release() async {
            socketGuard?.removeSocketFile()
            try? await client.shutdown()
            try? await controlLoop.shutdownGracefully()
        }
        for directory in Set([config.results.directory, config.onDemandResultsDirectory]) where !directory.isEmpty {
            let removed = ResultFile.removeLeftovers(in: directory)
            if removed > 0 {
                logger.info(
                    "Removed unfinished result files",
                    metadata: ["ttstrack.count": "\(removed)", "ttstrack.dir": "\(directory)"])
            }
        }
        let scheduler = Scheduler(
            store: store, checker: client, policy: config.poll, fetcher: client, results: config.results, logger: logger
        )
        let delivery: DeliveryEngine?
        do {
            delivery = try await makeDeliveryEngine(config: config, store: store)
        } catch {
            await release()
            throw error
        }
        // STATUS= names the missing key (with no task to check, the API's state would still say ok).
        let keyFile = config.apiKeyFile
        let reporter = HealthReporter(
            notifier: notifier, store: store, scheduler: scheduler, environment: environment,
            missingKey: { client.hasAPIKey ? nil : "create \(keyFile)" })
        await scheduler.setTickHandler { await reporter.tick() }
        var trackerLimits = TrackerService.Limits()
        trackerLimits.watchBuffer = config.watchBuffer
        let tracker = TrackerService(
            store: store, hub: hub, scheduler: scheduler, limits: trackerLimits,
            resultsDirectory: config.onDemandResultsDirectory, logger: logger)
        var serverLimits = VarlinkServer.Limits()
        serverLimits.maxConnections = config.maxConnections
        serverLimits.access = PeerAccess(
            allowedUIDs: Set(config.allowUIDs.map { UInt32($0) }),
            allowedGIDs: Set(config.allowGroups.compactMap(PeerAccess.groupID(named:))))
        serverLimits.partialMessageTimeout = .milliseconds(Int64(config.messageTimeout * 1000))
        let server = VarlinkServer(limits: serverLimits, group: controlLoop, logger: logger) { call, responder in
            try await tracker.handle(call, responder: responder)
        }
        var metricsServer: MetricsServer?
        if let metricsAddress, let metricsFactory {
            let collector = MetricsCollector(
                factory: metricsFactory, store: store, scheduler: scheduler, logger: logger)
            do {
                metricsServer = try await MetricsServer.bind(metricsAddress, group: controlLoop, logger: logger) {
                    await collector.scrape()
                }
            } catch {
                await release()
                throw error
            }
        }
        let metricsServing = metricsServer
        let metrics = ClosureService(name: "metrics") {
            try await metricsServing?.run()
        }
        let logger = self.logger
        let socketPath = config.socketPath
        let control = ClosureService(name: "control") {
            try await server.run(target) {
                logger.info("Ready", metadata: ["ttstrack.socket": "\(socketPath)", "ttstrack.store": "\(store.path)"])
                notifier.notify("READY=1")
            }
        }
        let polling = ClosureService(name: "scheduler") {
            await scheduler.run()
        }
        let delivering = ClosureService(name: "delivery") {
            await delivery?.run()
        }
        let retention = config.eventsRetentionDays
        let maintenance = ClosureService(name: "maintenance") {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let cutoff = Timestamp.now().adding(seconds: -retention * 86400)
                do {
                    let pruned = try await store.pruneEvents(before: cutoff)
                    if pruned > 0 { logger.debug("Pruned events", metadata: ["ttstrack.count": "\(pruned)"]) }
                    // Given-up deliveries are kept (and counted by Stats) as long as events are.
                    try await store.pruneFailedDeliveries(before: cutoff)
                } catch {
                    logger.warning("Cannot prune events", metadata: ["ttstrack.error": "\(error)"])
                }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
            }
        }
        let reloader = self.reloader
        let environment = self.environment
        let reloading = ClosureService(name: "reload") {
            guard let reloader else { return }
            for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
                notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())")
                defer { notifier.notify("READY=1") }
                do {
                    let (newConfig, newKey) = try await reloader()
                    let newSettings = try newConfig.clientSettings(apiKey: newKey?.key, environment: environment)
                    await scheduler.reconfigure(newConfig.poll, results: newConfig.results)
                    if newConfig.hooks != config.hooks || newConfig.webhooks != config.webhooks {
                        logger.info("Changes to hooks.* and webhooks.* take effect at the next restart")
                    }
                    client.update(newSettings)
                    logger.info("Configuration reloaded")
                    if newKey == nil { logger.error("\(Self.noKeyMessage(keyFile: newConfig.apiKeyFile))") }
                } catch {
                    logger.error(
                        "Reload refused; keeping the running configuration", metadata: ["ttstrack.error": "\(error)"])
                }
            }
        }
        let stopping = ClosureService(name: "stopping") {
            try? await gracefulShutdown()
            notifier.notify("STOPPING=1")
            logger.info("Stopping")
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: control),
                    .init(service: maintenance, successTerminationBehavior: .ignore),
                    .init(service: reloading, successTerminationBehavior: .ignore),
                    .init(service: metrics, successTerminationBehavior: .ignore),
                    .init(service: polling),
                    // Without a target there is no engine, and the service ends at once.
                    .init(service: delivering, successTerminationBehavior: .ignore),
                    // Last, so that graceful shutdown reaches it first: STOPPING=1 goes out at once.
                    .init(service: stopping, successTerminationBehavior: .ignore),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("Stopped on error", metadata: ["ttstrack.error": "\(error)"])
            await release()
            throw error
        }
        await release()
        logger.info("Stopped")
    }
}
