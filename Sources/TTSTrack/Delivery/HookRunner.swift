import NIOPosix

/// Delivers by running `hooks.exec`: one process per attempt, at most `hooks.concurrency` at
/// once, each watched from a thread of the runner's own pool (waiting for a child blocks, and
/// must not block the cooperative pool), killed with its process group past `hooks.timeout`.
final class HookRunner: Deliverer {
    private let argv: [String]
    private let timeout: Double
    private let inherited: [String]
    private let threads: NIOThreadPool
    /// Set when the daemon stops: running hooks are killed (and run again after restart).
    private let stopping = AtomicFlag()

    init(policy: HookPolicy, environment: [String: String]) {
        self.argv = policy.exec
        self.timeout = policy.timeout
        self.inherited = HookEnvironment.inherited(from: environment)
        self.threads = NIOThreadPool(numberOfThreads: policy.concurrency)
        threads.start()
    }

    func deliver(_ delivery: DueDelivery) async -> DeliveryOutcome {
        let argv = self.argv
        let timeout = self.timeout
        let environment = inherited + HookEnvironment.task(json: delivery.body)
        let cancelled = AtomicFlag()
        let run: HookProcess.Run
        do {
            run = try await withTaskCancellationHandler {
                try await threads.runIfActive { [stopping] () throws(HookError) -> HookProcess.Run in
                    let child = try HookProcess.spawn(argv: argv, environment: environment, input: delivery.body)
                    return HookProcess.wait(
                        pid: child.pid, output: child.output,
                        deadline: .now + .milliseconds(Int64(timeout * 1000)),
                        stopRequested: { stopping.isSet || cancelled.isSet })
                }
            } onCancel: {
                cancelled.set()
            }
        } catch let error as HookError {
            return .failed(reason: error.description, output: nil)
        } catch {
            // The pool is shut down: the daemon is stopping.
            return .cancelled
        }
        let output = LogExcerpt.text(run.output)
        switch run.ending {
        case .exited(0): return .delivered(output: output)
        case .exited(let status): return .failed(reason: "exited with status \(status)", output: output)
        case .signalled(let signal): return .failed(reason: "killed by signal \(signal)", output: output)
        case .timedOut:
            return .failed(
                reason: "ran past hooks.timeout (\(timeout) s); killed with its process group", output: output)
        case .stopped: return .cancelled
        case .unknown: return .failed(reason: "its exit status could not be read", output: output)
        }
    }

    /// Kills the hooks still running (they count as not run) and ends the runner's threads.
    func shutdown() async {
        stopping.set()
        try? await threads.shutdownGracefully()
    }
}
