/// The families `/metrics` serves: each name with its `# HELP` text, in one place, so every
/// part that records a figure (through the swift-metrics facade or at scrape time) names it
/// the same way and gives it the same help text.
package enum MetricsCatalog {
    package static let tasks = "ttstrack_tasks"
    package static let checks = "ttstrack_checks_total"
    package static let checkDuration = "ttstrack_check_duration_seconds"
    package static let apiState = "ttstrack_api_state"
    package static let rateLimitPauses = "ttstrack_rate_limit_pauses_total"
    package static let results = "ttstrack_results_total"
    package static let resultBytes = "ttstrack_result_bytes_total"
    package static let deliveries = "ttstrack_deliveries_total"
    package static let controlConnections = "ttstrack_control_connections"
    package static let controlConnectionsTotal = "ttstrack_control_connections_accepted_total"
    package static let scheduleFinishes = "ttstrack_schedule_finishes"
    package static let scheduleDuration = "ttstrack_schedule_duration_seconds"
    package static let addDuration = "ttstrack_add_duration_seconds"
    package static let addCommitDuration = "ttstrack_add_commit_duration_seconds"
    package static let addCommitIDs = "ttstrack_add_commit_ids_total"

    package static let help: [String: String] = [
        tasks: "Tracked tasks by status and kind, as Stats.tasks counts them.",
        checks: "Status checks made, by outcome (status, not_found, failed, unauthorized, rate_limited).",
        checkDuration: "Time of one status check against the API, request to answer.",
        apiState: "The API's state as Stats.api_state reports it: 1 for the current state, 0 for the others.",
        rateLimitPauses: "Pauses of all API work because the API answered 429.",
        results: "Result download attempts, by outcome (saved, retried, failed, deferred).",
        resultBytes: "Bytes of result files saved.",
        deliveries:
            "Deliveries of terminal tasks, by target (hooks, webhooks) and outcome (delivered, retried, failed).",
        controlConnections: "Open connections to the control socket.",
        controlConnectionsTotal: "Connections accepted on the control socket.",
        scheduleFinishes: "Finishes the adaptive schedule has learned from, per kind.",
        scheduleDuration: "How long tasks of a kind take to finish as the schedule has learned it, by quantile.",
        addDuration:
            "Time of one Add call, answered or failed, from the scheduler taking it to its reply being ready: its wait for a group commit and that commit.",
        addCommitDuration:
            "Time of one group commit of Add calls, committed or failed: the transaction and its sync to disk.",
        addCommitIDs: "Ids the group commits of Add have held (with the commits' count: ids per commit).",
    ]

    /// Buckets of the check-duration histogram: a local simulator answers in milliseconds, a
    /// far or slow API in seconds, and `api.timeout` is 30 s by default.
    package static let checkDurationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        .seconds(30),
    ]

    /// Buckets of the Add histograms: a commit syncs in a fraction of a millisecond on a fast
    /// disk, in tens of milliseconds on a slow one, and waits up to the 5 s busy timeout on a
    /// locked store; an Add waits for one or two commits.
    package static let addDurationBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .seconds(1), .milliseconds(2500), .seconds(5),
    ]

    /// Each histogram's buckets.
    package static let durationBuckets: [String: [Duration]] = [
        checkDuration: checkDurationBuckets, addDuration: addDurationBuckets, addCommitDuration: addDurationBuckets,
    ]

    /// The targets and outcomes of deliveries: every series exists (at 0) from the start, so
    /// the family is there before the first delivery.
    package static let deliveryTargets = ["hooks", "webhooks"]
    package static let deliveryOutcomes = ["delivered", "retried", "failed"]
}
