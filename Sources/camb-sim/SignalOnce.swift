import Dispatch
import Synchronization

/// Resumes a continuation on the first signal only (a second Ctrl-C must not resume it
/// twice) and keeps the signal sources alive for the life of the process.
final class SignalOnce: Sendable {
    private let state: Mutex<(continuation: CheckedContinuation<Void, Never>?, sources: [any DispatchSourceSignal])>

    init(_ continuation: CheckedContinuation<Void, Never>) {
        state = Mutex((continuation, []))
    }

    func keep(_ source: any DispatchSourceSignal) {
        state.withLock { $0.sources.append(source) }
    }

    func fire() {
        let continuation = state.withLock { s in
            let c = s.continuation
            s.continuation = nil
            return c
        }
        continuation?.resume()
    }
}
