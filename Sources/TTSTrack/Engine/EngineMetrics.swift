import Metrics

/// What the engine counts and times for `/metrics`, through the swift-metrics facade: without a backend
/// (metrics off) every handle is a no-op. The handles are made once, so recording one is an
/// atomic add, not a lookup.
struct EngineMetrics: Sendable {
    private let checks: [CheckOutcomeLabel: Counter]
    private let rateLimitPauses: Counter
    private let results: [ResultOutcomeLabel: Counter]
    private let resultBytes: Counter
    private let addDuration: Timer
    private let addCommitDuration: Timer
    private let addCommitIDs: Counter

    init() {
        checks = Dictionary(
            uniqueKeysWithValues: CheckOutcomeLabel.allCases.map {
                ($0, Counter(label: MetricsCatalog.checks, dimensions: [("outcome", $0.rawValue)]))
            })
        rateLimitPauses = Counter(label: MetricsCatalog.rateLimitPauses)
        results = Dictionary(
            uniqueKeysWithValues: ResultOutcomeLabel.allCases.map {
                ($0, Counter(label: MetricsCatalog.results, dimensions: [("outcome", $0.rawValue)]))
            })
        resultBytes = Counter(label: MetricsCatalog.resultBytes)
        addDuration = Timer(label: MetricsCatalog.addDuration)
        addCommitDuration = Timer(label: MetricsCatalog.addCommitDuration)
        addCommitIDs = Counter(label: MetricsCatalog.addCommitIDs)
        // Present from the start, at 0.
        rateLimitPauses.increment(by: 0)
        resultBytes.increment(by: 0)
        addCommitIDs.increment(by: 0)
    }

    /// One `Add` call answered or failed, `took` from the scheduler taking it.
    func added(took: Duration) {
        addDuration.recordNanoseconds(took.nanoseconds)
    }

    /// One group commit (or failed one) of `ids` in all, `took` from its start to its sync: with ``added(took:)``
    /// it shows where an Add's time goes (the commit it waits for, or the way there and back).
    func committed(ids: Int, took: Duration) {
        addCommitDuration.recordNanoseconds(took.nanoseconds)
        addCommitIDs.increment(by: ids)
    }

    /// `outcome` label of `ttstrack_checks_total`: `status` and `not_found` are answers, the
    /// rest count as failed checks in `Stats.checks_failed`.
    enum CheckOutcomeLabel: String, CaseIterable {
        case status
        case notFound = "not_found"
        case failed
        case unauthorized
        case rateLimited = "rate_limited"
    }

    /// `outcome` label of `ttstrack_results_total`: `deferred` is an attempt that did not
    /// count (the key was refused, or the API asked to slow down).
    enum ResultOutcomeLabel: String, CaseIterable {
        case saved
        case retried
        case failed
        case deferred
    }

    /// One check that counts in `Stats.checks_total` (not an abandoned one).
    func checked(_ outcome: CheckOutcome) {
        let label: CheckOutcomeLabel
        switch outcome {
        case .report: label = .status
        case .notFound: label = .notFound
        case .failed: label = .failed
        case .unauthorized: label = .unauthorized
        case .rateLimited: label = .rateLimited
        case .cancelled: return
        }
        checks[label]?.increment()
    }

    /// A change of the API's health: entering a rate-limit pause counts one pause.
    func transitioned(_ transition: APIHealth.Transition) {
        if case .rateLimited = transition { rateLimitPauses.increment() }
    }

    /// One result attempt; `lastAttempt`: a failure now gives up.
    func fetched(_ outcome: ResultOutcome, lastAttempt: Bool) {
        switch outcome {
        case .saved(_, let bytes):
            results[.saved]?.increment()
            resultBytes.increment(by: bytes)
        case .failed: results[lastAttempt ? .failed : .retried]?.increment()
        case .unauthorized, .rateLimited: results[.deferred]?.increment()
        case .cancelled: break
        }
    }
}
