import Metrics

/// `ttstrack_deliveries_total{target, outcome}`: each attempt counted once, as delivered,
/// retried or failed (given up). Through the swift-metrics facade: without a bootstrapped
/// backend these are no-ops.
struct DeliveryMetrics: Sendable {
    enum Outcome: String, CaseIterable {
        case delivered, retried, failed
    }

    private let counters: [DeliveryTarget: [Outcome: Counter]]

    init() {
        var counters: [DeliveryTarget: [Outcome: Counter]] = [:]
        for target in DeliveryTarget.allCases {
            for outcome in Outcome.allCases {
                counters[target, default: [:]][outcome] = Counter(
                    label: MetricsCatalog.deliveries,
                    dimensions: [("target", target.rawValue), ("outcome", outcome.rawValue)])
            }
        }
        self.counters = counters
    }

    func count(_ target: DeliveryTarget, _ outcome: Outcome) {
        counters[target]?[outcome]?.increment()
    }
}
