import Foundation
import TTSTrack
import TTSTrackTestSupport
import TTSTrackWire

#if canImport(Glibc)
import Glibc
#endif

/// The `poll.*` settings a scenario runs the daemon with, passed as `TTSTRACK_*` variables.
struct DaemonSettings {
    var apiBaseURL: String
    var rate: Double = 20
    var concurrency = 16
    var firstDelay: Double = 1
    var minInterval: Double = 1
    var maxInterval: Double = 30
    var jitter: Double = 0.1
    /// More `TTSTRACK_*` variables, e.g. `TTSTRACK_API_CA_FILE`.
    var extra: [String: String] = [:]

    /// Every task due all the time, no rate limit, 64 requests in flight: the daemon polls
    /// as fast as it can.
    static func fullSpeed(apiBaseURL: String) -> DaemonSettings {
        DaemonSettings(
            apiBaseURL: apiBaseURL, rate: 0, concurrency: 64, firstDelay: 0, minInterval: 0.001,
            maxInterval: 0.001, jitter: 0)
    }

    /// Nothing due for an hour: the daemon only holds its tasks. No simulator is needed (the
    /// address is never contacted).
    static var idle: DaemonSettings {
        DaemonSettings(apiBaseURL: "http://127.0.0.1:9", firstDelay: 3600, minInterval: 3600, maxInterval: 3600)
    }

    var environment: [String: String] {
        [
            "CAMB_API_KEY": SimulatorProcess.apiKey,
            "TTSTRACK_API_BASE_URL": apiBaseURL,
            "TTSTRACK_POLL_RATE": "\(rate)",
            "TTSTRACK_POLL_CONCURRENCY": "\(concurrency)",
            "TTSTRACK_POLL_FIRST_DELAY": "\(firstDelay)",
            "TTSTRACK_POLL_MIN_INTERVAL": "\(minInterval)",
            "TTSTRACK_POLL_MAX_INTERVAL": "\(maxInterval)",
            "TTSTRACK_POLL_JITTER": "\(jitter)",
        ].merging(extra) { _, new in new }
    }
}

/// The real `ttstrackd` (through ``DaemonProcess``), registered with ``Cleanup``, with
/// blocking helpers for what the scenarios measure.
final class BenchDaemon {
    let daemon: DaemonProcess
    /// When the process was spawned.
    let spawnedAt: ContinuousClock.Instant

    init(settings: DaemonSettings, directory: String) throws(BenchError) {
        guard
            FileManager.default.isExecutableFile(
                atPath: DaemonProcess.productsDirectory.appendingPathComponent("ttstrackd").path)
        else {
            throw BenchError(
                "no ttstrackd beside the benchmark in \(DaemonProcess.productsDirectory.path): build it with --product ttstrackd"
            )
        }
        spawnedAt = .now
        do {
            daemon = try DaemonProcess(environment: settings.environment, directory: directory)
        } catch {
            throw BenchError("cannot start ttstrackd: \(error)")
        }
        Cleanup.shared.register(pid: daemon.pid)
        Progress.log("ttstrackd pid \(daemon.pid) in \(directory)")
    }

    var pid: Int32 { daemon.pid }

    /// Waits until `GetInfo` answers, trying every millisecond; returns the time from spawn.
    @discardableResult
    func waitUntilReady(timeout: Duration = .seconds(60)) throws(BenchError) -> Duration {
        let deadline = spawnedAt + timeout
        while ContinuousClock.now < deadline {
            guard daemon.isRunning else {
                throw BenchError("ttstrackd exited with \(daemon.process.terminationStatus): \(daemon.stderr)")
            }
            if let client = try? VarlinkClient(path: daemon.socketPath),
                (try? client.call("org.varlink.service.GetInfo")) != nil
            {
                return ContinuousClock.now - spawnedAt
            }
            usleep(1_000)
        }
        throw BenchError("ttstrackd did not answer within \(timeout): \(daemon.stderr)")
    }

    func client(receiveTimeout: Double = 120) throws(BenchError) -> VarlinkClient {
        do {
            let client = try VarlinkClient(path: daemon.socketPath)
            client.setReceiveTimeout(receiveTimeout)
            return client
        } catch {
            throw BenchError("\(error)")
        }
    }

    /// Adds `ids` in calls of `batch` over one connection; returns the wall time of the calls.
    /// The messages are encoded before the clock starts, so the time is the daemon's.
    @discardableResult
    func add(_ ids: [String], batch: Int = 10_000) throws(BenchError) -> Duration {
        let frames = stride(from: 0, to: ids.count, by: batch).map { start in
            let slice = ids[start..<min(start + batch, ids.count)]
            let message: JSONValue = [
                "method": "io.ttstrack.Tracker.Add",
                "parameters": ["ids": .array(slice.map(JSONValue.string))],
            ]
            return VarlinkReply.frame(message)
        }
        let client = try client()
        var added = 0
        let started = ContinuousClock.now
        do {
            for frame in frames {
                try client.sendRaw(frame)
                let reply = try client.receive()
                if let error = reply.error { throw BenchError("Add failed: \(error.name) \(error.parameters)") }
                guard case .int(let count)? = reply.parameters["added"] else {
                    throw BenchError("Add reply without added: \(reply.parameters)")
                }
                added += Int(count)
            }
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError("Add failed: \(error)")
        }
        let elapsed = ContinuousClock.now - started
        guard added == ids.count else { throw BenchError("Add added \(added) of \(ids.count) ids") }
        return elapsed
    }

    /// `Stats.checks_total`.
    func checksTotal(_ client: VarlinkClient) throws(BenchError) -> Int {
        let reply: [String: JSONValue]
        do {
            reply = try client.call("io.ttstrack.Tracker.Stats")
        } catch {
            throw BenchError("Stats failed: \(error)")
        }
        guard case .int(let total)? = reply["checks_total"] else {
            throw BenchError("Stats without checks_total: \(reply)")
        }
        return Int(total)
    }

    /// `Stats.checks_failed`.
    func checksFailed(_ client: VarlinkClient) throws(BenchError) -> Int {
        let reply: [String: JSONValue]
        do {
            reply = try client.call("io.ttstrack.Tracker.Stats")
        } catch {
            throw BenchError("Stats failed: \(error)")
        }
        guard case .int(let failed)? = reply["checks_failed"] else {
            throw BenchError("Stats without checks_failed: \(reply)")
        }
        return Int(failed)
    }

    /// Waits until the daemon has made `minimum` checks, then `warmUp` more time.
    func waitForChecks(minimum: Int, warmUp: Duration, timeout: Duration = .seconds(60)) throws(BenchError) {
        let client = try client()
        let deadline = ContinuousClock.now + timeout
        while try checksTotal(client) < minimum {
            guard daemon.isRunning else { throw BenchError("ttstrackd exited: \(daemon.stderr)") }
            guard ContinuousClock.now < deadline else {
                throw BenchError(
                    "ttstrackd made fewer than \(minimum) checks within \(timeout): \(daemon.stderr.suffix(2000))")
            }
            usleep(50_000)
        }
        BenchContext.sleep(warmUp)
    }

    /// SIGTERM, then waits for the exit; returns the exit status and how long the stop took.
    @discardableResult
    func stop(timeout: Duration = .seconds(30)) -> (status: Int32, took: Duration) {
        let started = ContinuousClock.now
        let status = ChildProcess.stop(daemon.process, signal: SIGTERM, timeout: timeout)
        return (status, ContinuousClock.now - started)
    }

    var stderr: String { daemon.stderr }
}
