import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL
import Synchronization

/// An in-process fake of the CAMB.AI HTTP API (plain HTTP/1.1 on loopback, or HTTPS with
/// HTTP/1.1 and HTTP/2 when started with a ``SimTLS``), so the
/// ttstrack daemon can be tested and benchmarked without the real service, credits or
/// network.
///
/// Routes (each optionally under the `basePath` given at init):
/// - `GET /{kind}/{task_id}` for the kinds `tts`, `translated-tts`, `dub`, `translate`,
///   `transcribe`, `text-to-sound`, `text-to-voice`, `audio-separation`, `story`,
///   `translated-story`, `project-setup`, `sub` → status JSON
///   `{"status": …, "run_id": …, "exception_reason": …, "message": …}`. The task id is
///   percent-decoded before lookup and recording.
/// - `GET /tts-result/{run_id}` → ~4 KiB of fake audio starting with `fLaC`
///   (`audio/flac`); with `?output_type=FILE_URL` → `{"file_url": "<baseURL>/files/<run_id>.flac"}`.
/// - `GET /files/{run_id}.flac` → the same audio (no api key needed, like a presigned URL).
/// - anything else → `404 {"detail":"Not Found"}`.
///
/// Status and result requests need `x-api-key` equal to the configured key, otherwise
/// `401 {"detail":"Invalid API key"}` (a `nil` key accepts anything, even no header).
///
/// The answer to a status request is chosen in this order:
/// 1. a script set with `script(_:kind:_:)` — the n-th answered request gets
///    `steps[min(n, steps.count - 1)]`;
/// 2. a magic task-id prefix (works out of process, e.g. against `camb-sim`):
///    - `sim-error-…`: one PENDING, then ERROR, `exception_reason` PROCESSING_ERROR,
///      message "Simulated failure";
///    - `sim-harmful-…`: one PENDING, then ERROR, HARMFUL_CONTENT_DETECTED, message
///      object `{"code": "harmful", "detail": …}`;
///    - `sim-timeout-…`: one PENDING, then TIMEOUT;
///    - `sim-payment-…`: one PENDING, then PAYMENT_REQUIRED;
///    - `sim-404-…`: always `404 {"detail":"Task not found"}`;
///    - `sim-pending-…`: PENDING forever;
///    - `sim-queued-…`: status "QUEUED" forever;
///    - `sim-slow-…`: first request answered PENDING after 2 s, then the default;
/// 3. for a kind given ``TaskDurations``, PENDING until the task's drawn duration has passed;
/// 4. the `DefaultBehavior`.
///
/// Runs on its own `MultiThreadedEventLoopGroup` (1 thread by default, leaving the other
/// cores to the system under test).
public final class CambSimulator: Sendable {
    let engine: SimEngine
    private let threads: Int
    private let server = Mutex(SimServerState())

    /// Creates a stopped simulator; call `start` to listen.
    /// - Parameters:
    ///   - apiKey: the required `x-api-key`; `nil` accepts any request.
    ///   - defaultBehavior: answers for task ids without script or magic prefix.
    ///   - recordRequests: keep a `RecordedRequest` per request (turn off for long
    ///     benchmarks, where the list would grow without bound).
    ///   - basePath: optional path prefix such as `/apis` that requests may carry.
    ///   - threads: event loop threads serving connections.
    public init(
        apiKey: String? = "sim-key",
        defaultBehavior: CambSimulator.DefaultBehavior = .successAfterChecks(3),
        recordRequests: Bool = true,
        basePath: String = "",
        threads: Int = 1
    ) {
        self.engine = SimEngine(
            apiKey: apiKey,
            behavior: defaultBehavior,
            recordRequests: recordRequests,
            basePath: basePath
        )
        self.threads = max(1, threads)
    }

    // MARK: - Lifecycle

    /// Binds and starts serving. `port: 0` picks an ephemeral port; read `port` afterwards.
    /// With `tls`, every connection is HTTPS, and HTTP/2 when the client picks `h2` by ALPN.
    /// - Throws: `CambSimulatorError.alreadyStarted` on a second call, or the bind error.
    public func start(host: String = "127.0.0.1", port: Int = 0, tls: SimTLS? = nil) async throws {
        try server.withLock { s in
            guard s.phase == .idle else { throw CambSimulatorError.alreadyStarted }
            s.phase = .running
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let engine = self.engine
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [self] channel in
                self.register(channel)
                if let tls { return Self.configureTLS(channel, tls: tls, engine: engine) }
                return channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    try sync.addHandler(SimHTTPHandler(engine: engine))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            try? await group.shutdownGracefully()
            server.withLock { $0.phase = .stopped }
            throw error
        }
        guard let boundPort = channel.localAddress?.port else {
            try? await channel.close()
            try? await group.shutdownGracefully()
            server.withLock { $0.phase = .stopped }
            throw CambSimulatorError.noBoundPort
        }
        let url = Self.makeBaseURL(host: host, port: boundPort, tls: tls != nil)
        engine.state.withLock { $0.baseURL = url }
        server.withLock { s in
            s.group = group
            s.serverChannel = channel
            s.port = boundPort
            s.host = host
            s.tls = tls != nil
        }
    }

    /// TLS first; then HTTP/2 (each stream its own handler, in HTTP/1 parts) or HTTP/1.1 as
    /// ALPN decided.
    private static func configureTLS(_ channel: any Channel, tls: SimTLS, engine: SimEngine) -> EventLoopFuture<Void> {
        do {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.context))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        guard tls.offerHTTP2 else {
            return channel.eventLoop.makeCompletedFuture {
                let sync = channel.pipeline.syncOperations
                try sync.configureHTTPServerPipeline(withErrorHandling: true)
                try sync.addHandler(SimHTTPHandler(engine: engine))
            }
        }
        return channel.configureCommonHTTPServerPipeline { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(SimHTTPHandler(engine: engine))
            }
        }
    }

    /// Stops listening, closes every connection (including ones parked on `hang` or a
    /// delay) and stops the event loop threads. Safe to call more than once.
    public func shutdown() async throws {
        let (group, channel, connections) = server.withLock { s in
            s.phase = .stopped
            let taken = (s.group, s.serverChannel, Array(s.connections.values))
            s.group = nil
            s.serverChannel = nil
            s.connections = [:]
            return taken
        }
        guard let group else { return }
        if let channel { try? await channel.close() }
        for connection in connections { connection.close(promise: nil) }
        for connection in connections { try? await connection.closeFuture.get() }
        try await group.shutdownGracefully()
    }

    private func register(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let accepted = server.withLock { s in
            guard s.phase == .running else { return false }
            s.connections[id] = channel
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [self] _ in
            _ = server.withLock { $0.connections.removeValue(forKey: id) }
        }
    }

    private static func makeBaseURL(host: String, port: Int, tls: Bool = false) -> String {
        let scheme = tls ? "https" : "http"
        return switch host {
        case "0.0.0.0", "", "::": "\(scheme)://127.0.0.1:\(port)"
        case _ where host.contains(":"): "\(scheme)://[\(host)]:\(port)"
        default: "\(scheme)://\(host):\(port)"
        }
    }

    /// The bound port; `0` before `start` finished.
    public var port: Int { server.withLock { $0.port } }

    /// `http://<host>:<port>` (`https://` with TLS) to hand to the client as the API base URL
    /// (wildcard binds are reported as `127.0.0.1`).
    public var baseURL: String {
        server.withLock { Self.makeBaseURL(host: $0.host, port: $0.port, tls: $0.tls) }
    }

    /// Requests received over HTTP of this major version (1 or 2), any path.
    public func requestCount(httpMajorVersion: Int) -> Int {
        engine.state.withLock { $0.requestsByHTTPMajorVersion[httpMajorVersion] ?? 0 }
    }

    /// Number of currently open client connections.
    public func openConnections() -> Int { server.withLock { $0.connections.count } }

    // MARK: - Configuration

    /// Changes the required api key at runtime (`nil` = accept anything), e.g. to simulate
    /// a revoked key.
    public func setAPIKey(_ key: String?) {
        engine.state.withLock { $0.apiKey = key }
    }

    /// Changes how unscripted ids are answered from the next request on.
    public func setDefaultBehavior(_ behavior: CambSimulator.DefaultBehavior) {
        engine.state.withLock { $0.behavior = behavior }
    }

    /// Scripts one task: the n-th answered request (0-based, 401s not included) for
    /// `(kind, taskID)` gets `steps[min(n, steps.count - 1)]`, so the last step repeats.
    /// `n` counts since the last `resetCounters`, not since this call; an empty array
    /// removes the script.
    public func script(_ taskID: String, kind: String = "tts", _ steps: [SimResponse]) {
        let key = SimTaskKey(kind: kind, taskID: taskID)
        engine.state.withLock { s in
            if steps.isEmpty { s.scripts.removeValue(forKey: key) } else { s.scripts[key] = steps }
        }
    }

    /// Scripts the answers of a result endpoint for one run, as ``script(_:kind:_:)`` does for a
    /// status: `endpoint` is e.g. `tts-result` or `dub-result`.
    public func scriptResult(runID: Int, endpoint: String = "tts-result", _ steps: [SimResponse]) {
        script(String(runID), kind: endpoint, steps)
    }

    /// Makes every fake audio result `bytes` long (4096 by default).
    public func setAudioSize(_ bytes: Int) {
        engine.state.withLock { $0.audioSize = max(16, bytes) }
    }

    /// Makes the file URLs given from now on expire after `seconds`.
    public func setFileURLLifetime(_ seconds: Int) {
        engine.state.withLock { $0.fileURLLifetime = seconds }
    }

    /// Gives the tasks of the kinds in `durations` (without script or magic prefix) a duration
    /// each, drawn from their kind's law: PENDING until it has passed since the task's start,
    /// then SUCCESS. `nil` goes back to the default behaviour.
    public func setDurations(_ durations: TaskDurations?) {
        engine.state.withLock { $0.durations = durations }
    }

    /// Starts `taskID` now, as the API does when a task is created: its duration counts from
    /// here rather than from its first status request.
    public func startTask(_ taskID: String, kind: String = "tts") {
        let key = SimTaskKey(kind: kind, taskID: taskID)
        let now = ContinuousClock.now
        engine.state.withLock { $0.started[key] = now }
    }

    /// The duration `taskID` of `kind` takes under the durations set, or nil.
    public func duration(of taskID: String, kind: String = "tts") -> Double? {
        engine.state.withLock { $0.durations?.duration(kind: kind, taskID: taskID) }
    }

    /// Removes all scripts.
    public func clearScripts() {
        engine.state.withLock { $0.scripts.removeAll() }
    }

    // MARK: - Observation

    /// Requests received for `(kind, taskID)`, including ones rejected with 401.
    /// Result downloads count under kind `tts-result` with the run id as task id.
    public func requestCount(taskID: String, kind: String = "tts") -> Int {
        let key = SimTaskKey(kind: kind, taskID: taskID)
        return engine.state.withLock { $0.counters[key]?.requests ?? 0 }
    }

    /// All status requests answered or attempted (any kind, any id, including 401s and
    /// requests still delayed or hanging).
    public func totalRequests() -> Int {
        engine.state.withLock { $0.totalStatusRequests }
    }

    /// Every request in arrival order (empty unless created with `recordRequests: true`).
    public func recordedRequests() -> [RecordedRequest] {
        engine.state.withLock { $0.records }
    }

    /// Forgets counts, records, first-seen times and the concurrency high-water mark
    /// (reset to the current in-flight number). Scripts and configuration stay.
    public func resetCounters() {
        engine.state.withLock { s in
            s.counters.removeAll()
            s.records.removeAll()
            s.totalStatusRequests = 0
            s.requestsByHTTPMajorVersion.removeAll()
            s.maxInFlight = s.inFlight
        }
    }

    /// Highest number of status requests in flight at once (including delayed and
    /// hanging ones), for checking a client's concurrency limit.
    public func maxConcurrentRequests() -> Int {
        engine.state.withLock { $0.maxInFlight }
    }

    /// Status requests being processed right now.
    public func currentInFlightRequests() -> Int {
        engine.state.withLock { $0.inFlight }
    }

    /// Waits until `requestCount(taskID:kind:) >= count`, so tests wait on a condition
    /// rather than a fixed sleep. Returns `false` on timeout or cancellation.
    public func waitForRequests(taskID: String, kind: String = "tts", count: Int, timeout: Duration) async -> Bool {
        await waitUntil(timeout: timeout) { self.requestCount(taskID: taskID, kind: kind) >= count }
    }

    /// Waits until `totalRequests() >= count`. Returns `false` on timeout or cancellation.
    public func waitForTotalRequests(count: Int, timeout: Duration) async -> Bool {
        await waitUntil(timeout: timeout) { self.totalRequests() >= count }
    }

    private func waitUntil(timeout: Duration, _ condition: () -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if condition() { return true }
            if clock.now >= deadline || Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}
