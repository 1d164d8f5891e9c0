#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Makes Ctrl-C and `kill` end the client however it was started. A signal mask survives
/// `exec`, and a parent that spawns from a thread with signals blocked (Dispatch worker
/// threads, test runners) would leave `ttstrack watch` deaf to SIGINT and SIGTERM. Signals
/// the parent chose to ignore (`nohup`, background jobs) stay ignored.
///
/// SwiftNIO ignores SIGPIPE for the whole process once it opens a socket (so a write to a
/// closed socket is an error, not death). Whether the parent had it ignored is read here first,
/// so that a closed standard output can still end the client by SIGPIPE, as before.
enum ProcessSignals {
    /// True when the parent started us with SIGPIPE ignored.
    static let parentIgnoresPipe: Bool = {
        var action = sigaction()
        guard sigaction(SIGPIPE, nil, &action) == 0 else { return false }
        // The handler union read as a pointer-sized integer: SIG_IGN is handler 1 in <signal.h>.
        return withUnsafeBytes(of: action.__sigaction_handler) { $0.load(as: Int.self) } == 1
    }()

    static func unblockTermination() {
        _ = parentIgnoresPipe
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&set, signal) }
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    /// Ends the process by SIGPIPE, as a filter whose reader went away; returns only when the
    /// parent chose to ignore the signal.
    static func dieOfClosedPipe() {
        guard !parentIgnoresPipe else { return }
        signal(SIGPIPE, SIG_DFL)
        raise(SIGPIPE)
    }
}
