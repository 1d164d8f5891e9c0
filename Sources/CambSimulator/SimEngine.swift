import Foundation
import NIOHTTP1
import Synchronization

/// The simulator's brain: decides what each request gets and keeps the counters, shared by
/// all connections. One `Mutex` protects all state so a request is counted, scripted and
/// recorded atomically; the lock is held only for dictionary updates, never for I/O.
final class SimEngine: Sendable {
    let state: Mutex<SimState>
    let basePath: String
    let recordRequests: Bool

    init(apiKey: String?, behavior: CambSimulator.DefaultBehavior, recordRequests: Bool, basePath: String) {
        self.state = Mutex(SimState(apiKey: apiKey, behavior: behavior))
        self.recordRequests = recordRequests
        var base = basePath
        while base.hasSuffix("/") { base.removeLast() }
        if !base.isEmpty, !base.hasPrefix("/") { base = "/" + base }
        self.basePath = base
    }

    /// Decides the answer for one request. When `tracked` is true the request was counted
    /// as an in-flight status request and the caller must call `requestFinished()` exactly
    /// once when the response is complete or the connection closed.
    func plan(method: HTTPMethod, uri: String, apiKey: String?) -> (plan: SimPlan, tracked: Bool) {
        switch SimRoute.parse(uri: uri, basePath: basePath) {
        case .status(let kind, let taskID):
            guard method == .GET else {
                record(method: method, uri: uri, kind: kind, taskID: taskID, apiKey: apiKey, plan: .methodNotAllowed)
                return (.methodNotAllowed, false)
            }
            return (planStatus(method: method, uri: uri, kind: kind, taskID: taskID, apiKey: apiKey), true)
        case .result(let endpoint, let runID, let fileURL):
            return (
                planResult(
                    method: method, uri: uri, endpoint: endpoint, runID: runID, fileURL: fileURL, apiKey: apiKey),
                false
            )
        case .file(let runID, let ext, let expires):
            let key = SimTaskKey(kind: "files", taskID: String(runID))
            let plan = state.withLock { s -> SimPlan in
                let plan: SimPlan
                if method != .GET {
                    plan = .methodNotAllowed
                } else if let expires, expires < Int(Date().timeIntervalSince1970) {
                    plan = .expired
                } else {
                    plan = .audio(runID: runID, format: SimAudio.Format(rawValue: ext) ?? .flac, size: s.audioSize)
                }
                s.counters[key, default: SimTaskCounter()].requests += 1
                if recordRequests {
                    s.records.append(makeRecord(method, uri, key.kind, key.taskID, apiKey, plan.statusCode))
                }
                return plan
            }
            return (plan, false)
        case .unknown:
            record(method: method, uri: uri, kind: nil, taskID: nil, apiKey: apiKey, plan: .pathNotFound)
            return (.pathNotFound, false)
        }
    }

    private func planStatus(method: HTTPMethod, uri: String, kind: String, taskID: String, apiKey: String?) -> SimPlan {
        let magic = SimMagicID.classify(taskID)
        let key = SimTaskKey(kind: kind, taskID: taskID)
        let now = ContinuousClock.now
        return state.withLock { s in
            s.totalStatusRequests += 1
            s.inFlight += 1
            if s.inFlight > s.maxInFlight { s.maxInFlight = s.inFlight }

            let plan: SimPlan
            if let expected = s.apiKey, expected != apiKey {
                s.counters[key, default: SimTaskCounter()].requests += 1
                plan = .unauthorized
            } else {
                let (index, firstAt) = s.counters[key, default: SimTaskCounter()].countAnswered(now: now)
                if !s.scripts.isEmpty, let steps = s.scripts[key], !steps.isEmpty {
                    plan = Self.asPlan(steps[min(index, steps.count - 1)])
                } else if let magic, let response = magic.response(index: index) {
                    plan = Self.asPlan(response)
                } else if let duration = s.durations?.duration(kind: kind, taskID: taskID) {
                    let start = s.started[key] ?? firstAt
                    plan =
                        now - start < .milliseconds(Int64((duration * 1000).rounded()))
                        ? .pendingFast : .respond(.success(runID: StableHash.runID(forTaskID: taskID)))
                } else {
                    plan = Self.defaultPlan(s.behavior, index: index, firstAt: firstAt, now: now, taskID: taskID)
                }
            }
            if recordRequests {
                s.records.append(makeRecord(method, uri, kind, taskID, apiKey, plan.statusCode, at: now))
            }
            return plan
        }
    }

    /// A result endpoint: scripted per (endpoint, run id) like a status, else the audio or
    /// the JSON result of the run.
    private func planResult(
        method: HTTPMethod, uri: String, endpoint: String, runID: Int, fileURL: Bool, apiKey: String?
    ) -> SimPlan {
        let key = SimTaskKey(kind: endpoint, taskID: String(runID))
        let now = ContinuousClock.now
        return state.withLock { s in
            let plan: SimPlan
            if method != .GET {
                plan = .methodNotAllowed
            } else if let expected = s.apiKey, expected != apiKey {
                plan = .unauthorized
            } else {
                let (index, _) = s.counters[key, default: SimTaskCounter()].countAnswered(now: now)
                if let steps = s.scripts[key], !steps.isEmpty {
                    plan = Self.asPlan(steps[min(index, steps.count - 1)])
                } else if let format = SimResults.audioFormat(endpoint) {
                    plan =
                        fileURL
                        ? .fileURL(
                            SimResults.fileURL(
                                base: s.baseURL, runID: runID, ext: format.rawValue, lifetime: s.fileURLLifetime))
                        : .audio(runID: runID, format: format, size: s.audioSize)
                } else {
                    plan = .resultJSON(endpoint: endpoint, runID: runID)
                }
            }
            if plan.statusCode == 401 { s.counters[key, default: SimTaskCounter()].requests += 1 }
            if recordRequests {
                s.records.append(makeRecord(method, uri, key.kind, key.taskID, apiKey, plan.statusCode, at: now))
            }
            return plan
        }
    }

    private static func defaultPlan(
        _ behavior: CambSimulator.DefaultBehavior,
        index: Int,
        firstAt: ContinuousClock.Instant,
        now: ContinuousClock.Instant,
        taskID: String
    ) -> SimPlan {
        switch behavior {
        case .alwaysPending:
            return .pendingFast
        case .notFound:
            return .respond(.notFound)
        case .successAfterChecks(let checks):
            return index < checks ? .pendingFast : .respond(.success(runID: StableHash.runID(forTaskID: taskID)))
        case .successAfterSeconds(let seconds):
            return now - firstAt < .seconds(seconds)
                ? .pendingFast
                : .respond(.success(runID: StableHash.runID(forTaskID: taskID)))
        }
    }

    /// Maps a plain PENDING onto the canned fast path.
    private static func asPlan(_ response: SimResponse) -> SimPlan {
        if case .status("PENDING", nil, nil, nil, false) = response { return .pendingFast }
        return .respond(response)
    }

    private func record(method: HTTPMethod, uri: String, kind: String?, taskID: String?, apiKey: String?, plan: SimPlan)
    {
        guard recordRequests else { return }
        let entry = makeRecord(method, uri, kind, taskID, apiKey, plan.statusCode)
        state.withLock { $0.records.append(entry) }
    }

    private func makeRecord(
        _ method: HTTPMethod,
        _ uri: String,
        _ kind: String?,
        _ taskID: String?,
        _ apiKey: String?,
        _ statusCode: Int,
        at: ContinuousClock.Instant = .now
    ) -> RecordedRequest {
        RecordedRequest(
            at: at,
            wallTime: Date(),
            method: method.rawValue,
            path: uri,
            kind: kind,
            taskID: taskID,
            apiKey: apiKey,
            statusCode: statusCode
        )
    }

    /// Marks one tracked status request as complete (answered, failed or abandoned).
    func requestFinished() {
        state.withLock { $0.inFlight -= 1 }
    }
}
