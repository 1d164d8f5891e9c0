import AsyncHTTPClient
import NIOCore
import NIOPosix
import TTSTrackWire

/// Delivers by POSTing the stored payload to `webhooks.url`, signed as Standard Webhooks are:
/// `webhook-id` (the same on every attempt of one delivery), `webhook-timestamp` (this
/// attempt's, in Unix seconds) and `webhook-signature`. A 2xx answer is delivered, `410 Gone`
/// stops, anything else (and no answer within `webhooks.timeout`) is tried again.
final class WebhookSender: Deliverer {
    /// Answer bodies are read this far at most, and only for the log.
    static let answerLimit = 64 * 1024

    private let url: String
    private let host: String
    private let secret: WebhookSecret
    private let timeout: Double
    /// `timeout` as the clock and NIO count it, converted once.
    private let limit: Duration
    private let userAgent: String
    private let client: HTTPClient
    private let clock: @Sendable () -> Timestamp

    init(
        policy: WebhookPolicy, secret: WebhookSecret, userAgent: String,
        clock: @escaping @Sendable () -> Timestamp = Timestamp.now
    ) {
        self.url = policy.url
        self.host = Self.host(of: policy.url)
        self.secret = secret
        self.timeout = policy.timeout
        self.limit = .milliseconds(Int64(policy.timeout * 1000))
        self.clock = clock
        self.userAgent = userAgent
        // `execute`'s deadline ends once the head is in; the read timeout bounds each wait for
        // the body's bytes after it, so a receiver that sends its head and stalls cannot hold a
        // delivery (and its worker) for ever.
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: TimeAmount(limit), read: TimeAmount(limit)),
            connectionPool: .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: policy.concurrency),
            decompression: .disabled)
        configuration.redirectConfiguration = .disallow
        configuration.tracing.tracer = nil
        self.client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    func deliver(_ delivery: DueDelivery) async -> DeliveryOutcome {
        let timestamp = clock().rawValue / 1000
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: userAgent)
        request.headers.add(name: "webhook-id", value: delivery.messageID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(
            name: "webhook-signature",
            value: secret.signature(messageID: delivery.messageID, timestamp: timestamp, body: delivery.body))
        let body = ByteBuffer(string: delivery.body)
        request.body = .bytes(body)
        do {
            let started = ContinuousClock.now
            let response = try await client.execute(request, timeout: TimeAmount(limit))
            let status = response.status.code
            // The body is read for the log within what is left of the timeout, and no longer:
            // a receiver dripping bytes slower than the read timeout still ends here.
            let bodyDeadline = started + limit
            var answer: [UInt8] = []
            var read = 0
            do {
                // Read (and so free the connection for the next POST), but the status decides:
                // a 2xx head is the receiver's acceptance, and a slow or cut body after it must
                // not turn an accepted delivery into a retry.
                for try await chunk in response.body {
                    read += chunk.readableBytes
                    if answer.count < 1024 {
                        answer.append(contentsOf: chunk.readableBytesView.prefix(1024 - answer.count))
                    }
                    if read >= Self.answerLimit || ContinuousClock.now >= bodyDeadline { break }
                }
            } catch is CancellationError {
                return .cancelled
            } catch {
                // The excerpt for the log is shorter then; the status still decides.
            }
            if (200..<300).contains(status) { return .delivered(output: nil) }
            if status == 410 { return .refused(reason: "\(host) answered 410 Gone") }
            return .failed(reason: "\(host) answered \(status)", output: LogExcerpt.text(answer, limit: 256))
        } catch is CancellationError {
            return .cancelled
        } catch {
            if Task.isCancelled { return .cancelled }
            if let error = error as? HTTPClientError, error == .deadlineExceeded {
                return .failed(reason: "no answer from \(host) within webhooks.timeout (\(timeout) s)", output: nil)
            }
            return .failed(reason: TransportError.classify(error, host: host).description, output: nil)
        }
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// `host[:port]` of the URL, for messages: never its path, query or credentials.
    static func host(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(authority.split(separator: "@").last ?? authority)
    }
}
