import Foundation
import TTSTrackTestSupport
import TTSTrackWire

/// `delivery`: 2,000 tasks that all end at their first check, each delivered as a signed webhook
/// to a local receiver that answers at once: webhooks delivered per second (first arrival to
/// last), and the time from a task's end (its `updated_at` as the daemon recorded the terminal
/// status) to its webhook's arrival, at p50 and p99; then the same time for tasks ending one at
/// a time (200, one added every 10 ms), where no queue stands in between.
struct DeliveryScenario {
    let context: BenchContext
    static let count = 2_000
    static let concurrency = 8

    func run() throws(BenchError) -> [BenchRow] {
        let directory = context.makeDirectory("delivery")
        let count = context.quick ? 500 : Self.count
        let receiver = WebhookReceiver()
        do {
            try receiver.startBlocking()
        } catch {
            throw BenchError("cannot start the webhook receiver: \(error)")
        }
        defer { receiver.shutdownBlocking() }
        let secretFile = "\(directory)/webhook-secret"
        do {
            let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
            try "whsec_\(key.base64EncodedString())\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        } catch {
            throw BenchError("cannot write \(secretFile): \(error.localizedDescription)")
        }
        let simulator = try SimulatorProcess(
            directory: directory, arguments: ["--success-after", "0"], alwaysPending: false)
        defer { simulator.stop() }
        var settings = DaemonSettings(apiBaseURL: simulator.baseURL, rate: 0, concurrency: 64, firstDelay: 0)
        settings.extra = [
            "TTSTRACK_WEBHOOKS_URL": receiver.url, "TTSTRACK_WEBHOOKS_SECRET_FILE": secretFile,
            "TTSTRACK_WEBHOOKS_CONCURRENCY": String(Self.concurrency),
        ]
        let daemon = try BenchDaemon(settings: settings, directory: directory)
        defer { daemon.stop() }
        try daemon.waitUntilReady()
        Progress.log("\(count) tasks ending at once, each POSTed to a local receiver")
        let started = ContinuousClock.now
        _ = try daemon.add((0..<count).map { "delivered-\($0)" })
        while receiver.delivered < count {
            guard ContinuousClock.now - started < .seconds(600) else {
                throw BenchError("only \(receiver.delivered) of \(count) webhooks in 10 minutes")
            }
            BenchContext.sleep(.milliseconds(20))
        }
        let requests = receiver.requests()
        guard let first = requests.first, let last = requests.last, last.at > first.at else {
            throw BenchError("no webhooks arrived")
        }
        let rate = Double(count) / (last.at - first.at).seconds
        let summary = LatencySummary(try Self.latencies(requests))
        guard let p50 = summary.percentile(50), let p99 = summary.percentile(99) else {
            throw BenchError("no webhook carried a task's end time")
        }
        let singles = context.quick ? 50 : 200
        Progress.log("\(singles) tasks ending one at a time")
        for index in 0..<singles {
            _ = try daemon.add(["single-\(index)"])
            BenchContext.sleep(.milliseconds(10))
        }
        while receiver.delivered < count + singles {
            guard ContinuousClock.now - started < .seconds(600) else {
                throw BenchError("only \(receiver.delivered - count) of \(singles) single webhooks in 10 minutes")
            }
            BenchContext.sleep(.milliseconds(20))
        }
        let single = LatencySummary(try Self.latencies(Array(receiver.requests().dropFirst(requests.count))))
        guard let singleP50 = single.percentile(50), let singleP99 = single.percentile(99) else {
            throw BenchError("no single webhook carried a task's end time")
        }
        Progress.log(
            "\(count) webhooks at \(BenchTable.format(rate))/s; task end → webhook p50 \(BenchTable.format(p50)) ms, "
                + "p99 \(BenchTable.format(p99)) ms; one at a time: p50 \(BenchTable.format(singleP50)) ms, "
                + "p99 \(BenchTable.format(singleP99)) ms")
        return [
            BenchRow(
                figure:
                    "webhooks delivered per second (\(count) tasks ending at once, webhooks.concurrency \(Self.concurrency))",
                value: rate, decimals: 0),
            BenchRow(figure: "task end → webhook received, p50 (ms)", value: p50, decimals: 1),
            BenchRow(figure: "task end → webhook received, p99 (ms)", value: p99, decimals: 1),
            BenchRow(figure: "task end → webhook received, one at a time, p50 (ms)", value: singleP50, decimals: 1),
            BenchRow(figure: "task end → webhook received, one at a time, p99 (ms)", value: singleP99, decimals: 1),
        ]
    }

    /// Milliseconds from each task's end (`data.updated_at`) to its webhook's arrival.
    private static func latencies(_ requests: [WebhookReceiver.Request]) throws(BenchError) -> [Double] {
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var latencies: [Double] = []
        for request in requests {
            guard case .string(let ended)? = (try? JSONParser.parse(request.body))?["data"]?["updated_at"],
                let endedAt = parser.date(from: ended)
            else { throw BenchError("a webhook without the task's end time: \(request.bodyText.prefix(200))") }
            latencies.append((request.wallClock - endedAt.timeIntervalSince1970) * 1000)
        }
        return latencies
    }
}
