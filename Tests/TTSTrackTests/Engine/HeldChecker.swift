import Synchronization
import TTSTrack

/// A ``StatusChecker`` that holds every check until the test answers it: checks in flight are
/// counted where they are, with no TCP and no timing deciding anything.
final class HeldChecker: StatusChecker {
    private struct Held {
        var id: Int
        var continuation: CheckedContinuation<CheckOutcome, Never>
    }

    private struct State {
        var held: [Held] = []
        var nextID = 0
        var started = 0
        var maxInFlight = 0
    }

    private let state = Mutex(State())

    func check(kind: String, taskID: String) async -> CheckOutcome {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let cancelled = state.withLock { state in
                    // The flag is set before the cancellation handler runs, and the handler takes
                    // the same lock: a check cancelled before it was held is never held.
                    if Task.isCancelled { return true }
                    state.held.append(Held(id: id, continuation: continuation))
                    state.started += 1
                    state.maxInFlight = max(state.maxInFlight, state.held.count)
                    return false
                }
                if cancelled { continuation.resume(returning: .cancelled) }
            }
        } onCancel: {
            let held = state.withLock { state in
                state.held.firstIndex { $0.id == id }.map { state.held.remove(at: $0) }
            }
            held?.continuation.resume(returning: .cancelled)
        }
    }

    /// Checks held right now.
    var inFlight: Int { state.withLock { $0.held.count } }

    /// The most held at once since the last ``resetMax()``.
    var maxInFlight: Int { state.withLock { $0.maxInFlight } }

    func resetMax() {
        state.withLock { $0.maxInFlight = $0.held.count }
    }

    /// Answers every check held right now with `outcome`.
    func releaseAll(with outcome: CheckOutcome = .report(.init(status: "PENDING"))) {
        let held = state.withLock { state in
            defer { state.held = [] }
            return state.held
        }
        for check in held { check.continuation.resume(returning: outcome) }
    }
}
