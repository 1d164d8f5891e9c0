import Logging

extension Daemon {
    /// The delivery engine for the configured targets (nil when none is), attached to the
    /// store before anything can end a task. Throws when the webhook secret cannot be read.
    func makeDeliveryEngine(config: DaemonConfiguration, store: TaskStore) async throws -> DeliveryEngine? {
        var targets: [DeliveryEngine.Target] = []
        if config.hooks.isEnabled {
            targets.append(
                DeliveryEngine.Target(
                    target: .hooks, deliverer: HookRunner(policy: config.hooks, environment: environment),
                    concurrency: config.hooks.concurrency, maxAttempts: config.hooks.maxAttempts))
            logger.info("Hooks on", metadata: ["ttstrack.program": "\(config.hooks.exec[0])"])
        }
        if config.webhooks.isEnabled {
            let secret: WebhookSecret
            do {
                secret = try WebhookSecret.load(path: config.webhooks.secretFile)
            } catch {
                throw DaemonConfiguration.Invalid(error.description)
            }
            let sender = WebhookSender(
                policy: config.webhooks, secret: secret, userAgent: "ttstrackd/\(TrackerService.version)")
            targets.append(
                DeliveryEngine.Target(
                    target: .webhooks, deliverer: sender, concurrency: config.webhooks.concurrency,
                    maxAttempts: config.webhooks.maxAttempts))
            logger.info("Webhooks on", metadata: ["ttstrack.host": "\(WebhookSender.host(of: config.webhooks.url))"])
        }
        // Deliveries left for a target that is no longer configured stay in the store (and in
        // Stats) until it is configured again.
        if let counts = try? await store.scanner.countsByDelivery() {
            for target in DeliveryTarget.allCases where !targets.contains(where: { $0.target == target }) {
                if let pending = counts["\(target.rawValue).pending"], pending > 0 {
                    logger.info(
                        "Deliveries kept for a target that is not configured",
                        metadata: ["ttstrack.target": "\(target.rawValue)", "ttstrack.count": "\(pending)"])
                }
            }
        }
        guard !targets.isEmpty else { return nil }
        let engine = DeliveryEngine(store: store, targets: targets, logger: logger)
        await engine.attach()
        return engine
    }
}
