import Dispatch

/// An executor that runs its jobs one at a time on a serial dispatch queue of its own, each
/// as ``run(_:)`` says: the store's connections use such queues, so that blocking SQLite calls
/// (and their fsyncs) never occupy one of the few cooperative-pool threads.
protocol DispatchQueueExecutor: SerialExecutor {
    var queue: DispatchQueue { get }
    /// Runs one job on the queue.
    func run(_ job: UnownedJob)
}

extension DispatchQueueExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { self.run(job) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
