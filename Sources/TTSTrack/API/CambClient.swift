import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// The CAMB.AI status API: one status check in, one ``CheckOutcome`` out.
///
/// Holds one shared `HTTPClient` (keep-alive, pooled); the base URL, key and timeout can be
/// swapped at run time (reload) without dropping it. The key only ever goes into the request
/// header: outcomes and errors never carry it.
public final class CambClient: StatusChecker {
    /// What a reload may change.
    public struct Settings: Sendable, Equatable {
        public var baseURL: String
        public var apiKey: String?
        /// Seconds for one status request, connect to last byte.
        public var timeout: Double

        public init(baseURL: String, apiKey: String?, timeout: Double) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.timeout = timeout
        }
    }

    /// Largest status answer read; a bigger one is a failed check and memory stays flat.
    public static let maxBodyBytes = 1 << 20

    private let http: HTTPClient
    private let settings: Mutex<Settings>
    private let userAgent: String

    public init(settings: Settings, maxConnections: Int = 256, userAgent: String = "ttstrackd") {
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: .milliseconds(Int64(settings.timeout * 1000))),
            connectionPool: .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnections),
            decompression: .disabled)
        configuration.httpVersion = .http1Only
        configuration.redirectConfiguration = .disallow
        // No tracer is bootstrapped; without this each request still opens a no-op span.
        configuration.tracing.tracer = nil
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.settings = Mutex(settings)
        self.userAgent = userAgent
    }

    /// Takes effect for the next request.
    public func update(_ settings: Settings) {
        self.settings.withLock { $0 = settings }
    }

    /// Closes the pooled connections.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    public func check(kind: String, taskID: String) async -> CheckOutcome {
        let settings = self.settings.withLock { $0 }
        guard let apiKey = settings.apiKey, !apiKey.isEmpty else {
            return .unauthorized("no API key configured")
        }
        var request = HTTPClientRequest(url: StatusURL.make(baseURL: settings.baseURL, kind: kind, taskID: taskID))
        request.method = .GET
        request.headers.add(name: "x-api-key", value: apiKey)
        request.headers.add(name: "accept", value: "application/json")
        request.headers.add(name: "user-agent", value: userAgent)
        let deadline = NIODeadline.now() + .milliseconds(Int64(settings.timeout * 1000))
        do {
            let response = try await http.execute(request, deadline: deadline)
            let code = Int(response.status.code)
            switch code {
            case 200:
                let body = try await response.body.collect(upTo: Self.maxBodyBytes)
                do {
                    return .report(try StatusReport.parse(body.readableBytesView))
                } catch {
                    return .failed(error.description, transport: false)
                }
            case 404:
                return .notFound
            case 401, 403:
                return .unauthorized("API refused the key (HTTP \(code))")
            case 429:
                let seconds = RetryAfter.seconds(
                    retryAfter: response.headers.first(name: "retry-after"),
                    retryAfterMs: response.headers.first(name: "retry-after-ms"), now: .now())
                return .rateLimited(retryAfter: seconds)
            case 422:
                let body = try? await response.body.collect(upTo: 64 * 1024)
                return .failed("API rejected the request (HTTP 422\(Self.detail(of: body)))", transport: false)
            default:
                return .failed("API answered HTTP \(code)", transport: false)
            }
        } catch is CancellationError {
            return .cancelled
        } catch {
            if Task.isCancelled { return .cancelled }
            return .failed(Self.describe(error), transport: true)
        }
    }

    /// A 422's first `detail[].msg`, for the operator.
    private static func detail(of body: ByteBuffer?) -> String {
        guard let body, let document = try? JSONParser.parse(body.readableBytesView),
            case .array(let details)? = document["detail"], let first = details.first,
            let message = first["msg"]?.stringValue
        else { return "" }
        return ": \(message.prefix(200))"
    }

    /// A short, key-free description of a transport error.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout: return "request timed out"
            case .connectTimeout: return "connect timed out"
            case .remoteConnectionClosed: return "API closed the connection"
            default: return "HTTP error: \(error)"
            }
        }
        if error is NIOTooManyBytesError { return "answer larger than \(maxBodyBytes) bytes" }
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return "request failed: \(text.prefix(200))"
    }
}
