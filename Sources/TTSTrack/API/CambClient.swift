import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
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
    private let group: MultiThreadedEventLoopGroup
    /// How much nicer the polling threads run than the rest of the daemon.
    static let pollingNiceness: Int32 = 5
    private let current: Mutex<Current>

    /// The settings with the headers every request carries, built once per (re)load.
    private struct Current {
        var settings: Settings
        var headers: HTTPHeaders

        init(_ settings: Settings, userAgent: String) {
            self.settings = settings
            headers = HTTPHeaders()
            if let key = settings.apiKey { headers.add(name: "x-api-key", value: key) }
            headers.add(name: "accept", value: "application/json")
            headers.add(name: "user-agent", value: userAgent)
        }
    }

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
        // Loops of its own, made nicer than the control socket's: see ``ThreadPriority``.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        for loop in group.makeIterator() {
            loop.execute { ThreadPriority.makeCurrentThreadNicer(Self.pollingNiceness) }
        }
        self.group = group
        self.http = HTTPClient(eventLoopGroup: group, configuration: configuration)
        self.current = Mutex(Current(settings, userAgent: userAgent))
        self.userAgent = userAgent
    }

    /// Takes effect for the next request.
    public func update(_ settings: Settings) {
        let current = Current(settings, userAgent: userAgent)
        self.current.withLock { $0 = current }
    }

    /// Whether requests carry a key (false: every check is refused as "no API key configured").
    public var hasAPIKey: Bool {
        current.withLock { !($0.settings.apiKey ?? "").isEmpty }
    }

    /// Closes the pooled connections and stops the loops.
    public func shutdown() async throws {
        try await http.shutdown()
        try await group.shutdownGracefully()
    }

    public func check(kind: String, taskID: String) async -> CheckOutcome {
        let current = self.current.withLock { $0 }
        guard let apiKey = current.settings.apiKey, !apiKey.isEmpty else {
            return .unauthorized("no API key configured")
        }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(
                url: StatusURL.make(baseURL: current.settings.baseURL, kind: kind, taskID: taskID),
                headers: current.headers)
        } catch {
            return .failed("invalid status URL for api.base_url \(current.settings.baseURL)", transport: false)
        }
        let deadline = NIODeadline.now() + .milliseconds(Int64(current.settings.timeout * 1000))
        // The delegate API: the answer becomes an outcome on the event loop, and this task
        // resumes once per check.
        let task = http.execute(
            request: request, delegate: StatusResponseDelegate(maxBodyBytes: Self.maxBodyBytes), deadline: deadline)
        do {
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            if Task.isCancelled { return .cancelled }
            return .failed(Self.describe(error), transport: true)
        }
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
