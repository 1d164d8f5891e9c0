package import CoreMetrics
package import Prometheus
import Synchronization

/// The swift-metrics backend of the daemon: swift-prometheus's registry, with the help text of
/// each family from ``MetricsCatalog`` and label sets put in one order (by name), so two
/// parts naming the same labels in another order still share one series.
package struct DaemonMetricsFactory: MetricsFactory {
    package let registry: PrometheusCollectorRegistry
    private let fallback: PrometheusMetricsFactory

    package init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.fallback = PrometheusMetricsFactory(registry: registry)
    }

    private static let bootstrapped = Mutex<DaemonMetricsFactory?>(nil)

    /// Makes the daemon's factory the process's swift-metrics backend, once: metrics recorded
    /// anywhere through the facade from then on land in its registry. Later calls return the
    /// same factory (the facade can be bootstrapped only once per process).
    package static func bootstrap() -> DaemonMetricsFactory {
        bootstrapped.withLock { current in
            if let current { return current }
            let factory = DaemonMetricsFactory()
            MetricsSystem.bootstrap(factory)
            current = factory
            return factory
        }
    }

    private static func ordered(_ labels: [(String, String)]) -> [(String, String)] {
        labels.sorted { $0.0 < $1.0 }
    }

    /// The name with its help text; the empty unit adds nothing to the name.
    private static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: MetricsCatalog.help[name] ?? "")
    }

    package func counter(_ name: String, _ labels: [(String, String)] = []) -> Prometheus.Counter {
        registry.makeCounter(descriptor: Self.descriptor(name), labels: Self.ordered(labels))
    }

    package func gauge(_ name: String, _ labels: [(String, String)] = []) -> Prometheus.Gauge {
        registry.makeGauge(descriptor: Self.descriptor(name), labels: Self.ordered(labels))
    }

    // MARK: MetricsFactory

    package func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        counter(label, dimensions)
    }

    package func makeFloatingPointCounter(
        label: String, dimensions: [(String, String)]
    )
        -> any FloatingPointCounterHandler
    {
        counter(label, dimensions)
    }

    package func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard !aggregate else { return fallback.makeRecorder(label: label, dimensions: dimensions, aggregate: true) }
        return gauge(label, dimensions)
    }

    package func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        gauge(label, dimensions)
    }

    package func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(
            descriptor: Self.descriptor(label), labels: Self.ordered(dimensions),
            buckets: MetricsCatalog.durationBuckets[label] ?? fallback.defaultDurationHistogramBuckets)
    }

    package func destroyCounter(_ handler: any CounterHandler) { fallback.destroyCounter(handler) }
    package func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        fallback.destroyFloatingPointCounter(handler)
    }
    package func destroyRecorder(_ handler: any RecorderHandler) { fallback.destroyRecorder(handler) }
    package func destroyMeter(_ handler: any MeterHandler) { fallback.destroyMeter(handler) }
    package func destroyTimer(_ handler: any TimerHandler) { fallback.destroyTimer(handler) }
}
