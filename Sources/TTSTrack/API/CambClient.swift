import AsyncHTTPClient
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The CAMB.AI status API: one status check in, one ``CheckOutcome`` out.
///
/// Holds one shared `HTTPClient` (keep-alive, pooled); the base URL, key and timeout can be
/// swapped at run time (reload) without dropping it. A reload that changes the
/// ``APITransport`` (CA file, proxy, HTTP version) gets a new `HTTPClient`; the old one is shut
/// down once the requests it carries are past their deadline. The key and the proxy's
/// credentials only ever go into request headers: outcomes and errors never carry them.
public final class CambClient: StatusChecker {
    /// What a reload may change.
    public struct Settings: Sendable, Equatable {
        public var baseURL: String
        public var apiKey: String?
        /// Seconds for one status request, connect to last byte.
        public var timeout: Double
        public var transport: APITransport

        public init(baseURL: String, apiKey: String?, timeout: Double, transport: APITransport = APITransport()) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.timeout = timeout
            self.transport = transport
        }
    }

    /// Largest status answer read; a bigger one is a failed check and memory stays flat.
    public static let maxBodyBytes = 1 << 20

    let group: MultiThreadedEventLoopGroup
    /// Where result files are written: disk I/O never runs on an event loop.
    let fileIO: NIOThreadPool
    /// How much nicer the polling threads run than the rest of the daemon.
    static let pollingNiceness: Int32 = 5
    let current: Mutex<Current>
    /// Clients replaced by a reload, until their requests are past their deadline.
    private let retired = Mutex<[ObjectIdentifier: HTTPClient]>([:])
    private let diagnosis: CertificateDiagnosis
    private let maxConnections: Int
    /// `/metrics`: how long each status check takes, request to answer.
    private let checkDuration = Timer(label: MetricsCatalog.checkDuration)

    /// The settings with the headers every request carries, built once per (re)load, and the
    /// HTTP client for their transport.
    struct Current {
        var settings: Settings
        var headers: HTTPHeaders
        var http: HTTPClient

        init(_ settings: Settings, userAgent: String, http: HTTPClient) {
            self.settings = settings
            self.http = http
            headers = HTTPHeaders()
            if let key = settings.apiKey { headers.add(name: "x-api-key", value: key) }
            headers.add(name: "accept", value: "application/json")
            headers.add(name: "user-agent", value: userAgent)
        }
    }

    private let userAgent: String

    public init(settings: Settings, maxConnections: Int = 256, userAgent: String = "ttstrackd") {
        // Loops of its own, made nicer than the control socket's: see ``ThreadPriority``.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        for loop in group.makeIterator() {
            loop.execute { ThreadPriority.makeCurrentThreadNicer(Self.pollingNiceness) }
        }
        self.group = group
        self.fileIO = NIOThreadPool(numberOfThreads: 2)
        fileIO.start()
        self.maxConnections = maxConnections
        self.diagnosis = CertificateDiagnosis(group: group)
        let http = Self.makeHTTPClient(
            transport: settings.transport, connectTimeout: settings.timeout, maxConnections: maxConnections,
            group: group)
        self.current = Mutex(Current(settings, userAgent: userAgent, http: http))
        self.userAgent = userAgent
    }

    /// Takes effect for the next request.
    public func update(_ settings: Settings) {
        let old = current.withLock { $0 }
        var http = old.http
        if settings.transport != old.settings.transport {
            http = Self.makeHTTPClient(
                transport: settings.transport, connectTimeout: settings.timeout, maxConnections: maxConnections,
                group: group)
        }
        let current = Current(settings, userAgent: userAgent, http: http)
        self.current.withLock { $0 = current }
        if http !== old.http { retire(old.http, after: max(old.settings.timeout, settings.timeout) + 1) }
    }

    /// Shuts `http` down once every request it may still carry is past its deadline.
    private func retire(_ http: HTTPClient, after seconds: Double) {
        let id = ObjectIdentifier(http)
        retired.withLock { $0[id] = http }
        Task { [self] in
            try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            guard let http = self.retired.withLock({ $0.removeValue(forKey: id) }) else { return }
            try? await http.shutdown()
        }
    }

    /// Whether requests carry a key (false: every check is refused as "no API key configured").
    public var hasAPIKey: Bool {
        current.withLock { !($0.settings.apiKey ?? "").isEmpty }
    }

    /// Closes the pooled connections and stops the loops.
    public func shutdown() async throws {
        let clients = retired.withLock { retired in
            let clients = Array(retired.values)
            retired.removeAll()
            return clients
        }
        for client in clients { try? await client.shutdown() }
        try await current.withLock { $0.http }.shutdown()
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
        let transport = current.settings.transport
        let delegate = StatusResponseDelegate(
            maxBodyBytes: Self.maxBodyBytes, host: request.host, requireHTTP2: transport.httpVersion == .http2)
        let task = current.http.execute(request: request, delegate: delegate, deadline: deadline)
        let started = ContinuousClock.now
        defer {
            checkDuration.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        }
        do {
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            if Task.isCancelled { return .cancelled }
            var failure = TransportError.classify(error, host: request.host, proxy: transport.proxy?.label)
            if failure.kind == .certificateUntrusted {
                failure = await diagnosis.refine(failure, port: request.port, transport: transport)
            }
            return .failed(.transport(failure))
        }
    }
}
