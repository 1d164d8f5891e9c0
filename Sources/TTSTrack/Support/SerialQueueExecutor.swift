import Dispatch

/// Runs an actor's jobs on a dedicated serial dispatch queue. The store's actor uses it so that
/// blocking SQLite calls (and their fsyncs) never occupy one of the few cooperative-pool threads.
///
/// It is a task executor too: a task that prefers it runs its nonisolated code on the same
/// queue, isolated to it, so its calls into the actor need no hop to another thread (the
/// group commit's drain runs so). One serial queue runs both kinds of job, one at a time.
final class SerialQueueExecutor: SerialExecutor, TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        self.queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async {
            job.runSynchronously(isolatedTo: self.asUnownedSerialExecutor(), taskExecutor: self.asUnownedTaskExecutor())
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
