package import Logging
import Synchronization
import TTSTrackWire

/// Puts together what one scrape of `/metrics` serves: the counters recorded as things happen
/// (in the registry already), and the figures read at the moment of the scrape (tasks by status
/// and kind from the store, the API's state, what the schedule has learned).
package final class MetricsCollector: Sendable {
    private let factory: DaemonMetricsFactory
    private let store: TaskStore
    private let scheduler: Scheduler
    /// What the adaptive schedule has learned per kind, asked at each scrape (the scheduler's
    /// own figures unless a test gives others).
    private let learned: @Sendable () -> [String: LearnedDurations]
    private let logger: Logger
    /// Label sets of the scrape-time gauges served before: one that is gone now reads 0 (a
    /// status no task has any more), rather than keeping its last value.
    private let served = Mutex<Set<[String]>>([])

    package init(
        factory: DaemonMetricsFactory, store: TaskStore, scheduler: Scheduler,
        learned: (@Sendable () -> [String: LearnedDurations])? = nil, logger: Logger
    ) {
        self.factory = factory
        self.store = store
        self.scheduler = scheduler
        self.learned = learned ?? { scheduler.learnedDurations() }
        self.logger = logger
        // Every family is there from the first scrape, at 0 until something happens.
        for target in MetricsCatalog.deliveryTargets {
            for outcome in MetricsCatalog.deliveryOutcomes {
                _ = factory.counter(MetricsCatalog.deliveries, [("target", target), ("outcome", outcome)])
            }
        }
        _ = factory.gauge(MetricsCatalog.controlConnections)
        _ = factory.counter(MetricsCatalog.controlConnectionsTotal)
        for kind in TaskKind.all {
            _ = factory.gauge(MetricsCatalog.scheduleFinishes, [("kind", kind)])
        }
    }

    /// The Prometheus text exposition of every family, as of now.
    package func scrape() async -> [UInt8] {
        var now: Set<[String]> = []
        do {
            for count in try await store.scanner.countsByStatusAndKind() {
                set(MetricsCatalog.tasks, [("status", count.status), ("kind", count.kind)], Double(count.count), &now)
            }
        } catch {
            logger.info("Cannot read task counts for metrics", metadata: ["ttstrack.error": "\(error)"])
            now.formUnion(served.withLock { $0 }.filter { $0.first == MetricsCatalog.tasks })
        }
        let state = await scheduler.snapshot().health.state
        for candidate in APIHealth.State.allCases {
            set(MetricsCatalog.apiState, [("state", candidate.rawValue)], candidate == state ? 1 : 0, &now)
        }
        for (kind, figures) in learned() {
            set(MetricsCatalog.scheduleFinishes, [("kind", kind)], Double(figures.finishes), &now)
            for (quantile, seconds) in [("0.5", figures.median), ("0.9", figures.p90)] {
                guard let seconds else { continue }
                set(MetricsCatalog.scheduleDuration, [("kind", kind), ("quantile", quantile)], seconds, &now)
            }
        }
        let gone = served.withLock { served in
            let gone = served.subtracting(now)
            served = now
            return gone
        }
        for series in gone {
            // [name, label, value, label, value…]
            let labels = stride(from: 1, to: series.count, by: 2).map { (series[$0], series[$0 + 1]) }
            factory.gauge(series[0], labels).set(to: 0)
        }
        return factory.registry.emitToBuffer()
    }

    private func set(_ name: String, _ labels: [(String, String)], _ value: Double, _ now: inout Set<[String]>) {
        factory.gauge(name, labels).set(to: value)
        now.insert([name] + labels.flatMap { [$0.0, $0.1] })
    }
}
