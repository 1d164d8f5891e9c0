import Dispatch

/// Runs an actor's jobs on a dedicated serial dispatch queue: the store's reader, scanner and
/// checkpointer each have one.
final class SerialQueueExecutor: DispatchQueueExecutor {
    let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    func run(_ job: UnownedJob) {
        job.runSynchronously(on: asUnownedSerialExecutor())
    }
}
