import NIOCore

/// Runs a task's jobs on a NIO event loop. A control connection's task runs on its own
/// channel's loop: reading a call, answering it and writing the reply need no thread hop,
/// and none of it waits in the cooperative pool, which the polling keeps busy at full speed.
final class EventLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
