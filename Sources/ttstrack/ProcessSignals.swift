#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Makes Ctrl-C and `kill` end the client however it was started. A signal mask survives
/// `exec`, and a parent that spawns from a thread with signals blocked (Dispatch worker
/// threads, test runners) would leave `ttstrack watch` deaf to SIGINT and SIGTERM. Signals
/// the parent chose to ignore (`nohup`, background jobs) stay ignored.
enum ProcessSignals {
    static func unblockTermination() {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&set, signal) }
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }
}
