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

    let http: HTTPClient
    let group: MultiThreadedEventLoopGroup
    /// Where result files are written: disk I/O never runs on an event loop.
    let fileIO: NIOThreadPool
    /// How much nicer the polling threads run than the rest of the daemon.
    static let pollingNiceness: Int32 = 5
    let current: Mutex<Current>

    /// The settings with the headers every request carries, built once per (re)load.
    struct Current {
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
        // A failed connect fails the waiting requests at once with its own error (refused,
        // DNS, TLS), instead of being retried silently until the request's deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        // No tracer is bootstrapped; without this each request still opens a no-op span.
        configuration.tracing.tracer = nil
        // Loops of its own, made nicer than the control socket's: see ``ThreadPriority``.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        for loop in group.makeIterator() {
            loop.execute { ThreadPriority.makeCurrentThreadNicer(Self.pollingNiceness) }
        }
        self.group = group
        self.fileIO = NIOThreadPool(numberOfThreads: 2)
        fileIO.start()
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
        try await fileIO.shutdownGracefully()
        try await group.shutdownGracefully()
    }

    public func check(kind: String, taskID: String) async -> CheckOutcome {
        let current = self.current.withLock { $0 }
        guard let apiKey = current.settings.apiKey, !apiKey.isEmpty else {
            return .unauthorized(.noKey)
        }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(
                url: StatusURL.make(baseURL: current.settings.baseURL, kind: kind, taskID: taskID),
                headers: current.headers)
        } catch {
            return .failed(.invalidURL(baseURL: current.settings.baseURL))
        }
        let deadline = NIODeadline.now() + .milliseconds(Int64(current.settings.timeout * 1000))
        // The delegate API: the answer becomes an outcome on the event loop, and this task
        // resumes once per check.
        let task = http.execute(
            request: request, delegate: StatusResponseDelegate(maxBodyBytes: Self.maxBodyBytes, host: request.host),
            deadline: deadline)
        do {
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            if Task.isCancelled { return .cancelled }
            return .failed(.transport(TransportError.classify(error, host: request.host)))
        }
    }
}
