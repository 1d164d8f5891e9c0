#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One run of a hook program: spawned with `posix_spawnp` (no shell, no fork of the daemon) in a
/// process group of its own, with standard input from a file holding the task, standard output
/// and error into one pipe, none of the daemon's other descriptors, and every signal at its
/// default (the daemon ignores some, and ignored signals would otherwise be inherited).
///
/// Everything here blocks: it runs on the hook runner's own threads, never on the cooperative pool.
enum HookProcess {
    /// How the run ended.
    enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
        /// Ran past its time: killed with its process group.
        case timedOut
        /// Killed because the daemon is stopping.
        case stopped
        /// Its exit status could not be had (someone else reaped it).
        case unknown
    }

    struct Run: Sendable {
        var ending: Ending
        /// The first bytes it wrote (standard output and error together).
        var output: [UInt8]
    }

    /// The output kept for the log, per run.
    static let outputLimit = 1024

    /// Starts `argv` with `input` on its standard input; returns its pid (also its process
    /// group) and the read end of its output pipe.
    static func spawn(
        argv: [String], environment: [String], input: String
    ) throws(HookError) -> (
        pid: pid_t, output: Int32
    ) {
        let inputFD = try inputFile(holding: input)
        defer { close(inputFD) }
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { throw HookError("cannot make a pipe: \(errorText())") }
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { close(pipeFDs[1]) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inputFD, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        closeInheritedDescriptors(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)

        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in cArguments + cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        let code = posix_spawnp(&pid, argv[0], &actions, &attributes, cArguments, cEnvironment)
        guard code == 0 else {
            close(pipeFDs[0])
            throw HookError("cannot start \(argv[0]): \(String(cString: strerror(code)))")
        }
        return (pid, pipeFDs[0])
    }

    /// Reads the output of `pid` until it exits or `deadline` passes (then kills its process
    /// group); `stopRequested` is asked now and then, and when true the group is killed too.
    static func wait(
        pid: pid_t, output: Int32, deadline: ContinuousClock.Instant, stopRequested: () -> Bool
    ) -> Run {
        var kept: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var outputOpen = true
        var pause = 1  // milliseconds between exit checks once the output is closed
        defer { if outputOpen { close(output) } }

        /// Reads what is there; false at end of file.
        func readSome() -> Bool {
            let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count > 0 {
                kept.append(contentsOf: buffer[0..<min(count, max(0, outputLimit - kept.count))])
                return true
            }
            return count < 0 && errno == EINTR
        }

        func killGroup(_ ending: Ending) -> Run {
            _ = kill(-pid, SIGKILL)
            _ = reap(pid, options: 0)
            return Run(ending: ending, output: kept)
        }

        while true {
            if stopRequested() { return killGroup(.stopped) }
            let remaining = deadline - .now
            if remaining <= .zero { return killGroup(.timedOut) }
            let sliceMS = Int32(min(remaining, .milliseconds(outputOpen ? 100 : pause)).seconds * 1000)
            if outputOpen {
                var descriptor = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
                if poll(&descriptor, 1, max(sliceMS, 1)) > 0, !readSome() {
                    close(output)
                    outputOpen = false
                }
            } else {
                _ = poll(nil, 0, max(sliceMS, 1))
                pause = min(pause * 2, 50)
            }
            if let status = reap(pid, options: WNOHANG) {
                guard let status else { return Run(ending: .unknown, output: kept) }
                // Whatever it wrote before exiting, without waiting for a child of its that
                // still holds the pipe open.
                while outputOpen {
                    var descriptor = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
                    guard poll(&descriptor, 1, 0) > 0, readSome() else { break }
                }
                return Run(ending: ending(of: status), output: kept)
            }
        }
    }

    /// `waitpid`, retried on EINTR: nil while `pid` runs; once it exited, its status, or nil
    /// inside when there is none to be had (ECHILD).
    private static func reap(_ pid: pid_t, options: Int32) -> Int32?? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, options)
            if result == pid { return .some(status) }
            if result < 0 && errno == EINTR { continue }
            return result == 0 ? nil : .some(nil)
        }
    }

    private static func ending(of status: Int32) -> Ending {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (macros).
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    /// An unlinked temporary file holding `input`, rewound: the hook's standard input. A file,
    /// not a pipe: the hook reads it at its own pace, and nothing here can block on it.
    private static func inputFile(holding input: String) throws(HookError) -> Int32 {
        let directory = temporaryDirectory
        var template = Array("\(directory)/ttstrack-hook-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw HookError("cannot make a temporary file in \(directory): \(errorText())") }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var bytes = Array(input.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let text = errorText()
                close(fd)
                throw HookError("cannot write the hook's input to \(directory): \(text)")
            }
            written += count
        }
        lseek(fd, 0, SEEK_SET)
        return fd
    }

    /// No descriptor of the daemon's reaches the hook: glibc's `closefrom` action when it has
    /// one (2.34 and later), else a close action for each descriptor open now.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let closeFrom = closeFromAction {
            _ = closeFrom(&actions, 3)
            return
        }
        guard let directory = opendir("/proc/self/fd") else { return }
        defer { closedir(directory) }
        let own = dirfd(directory)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let fd = Int32(name), fd > 2, fd != own { posix_spawn_file_actions_addclose(&actions, fd) }
        }
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np`, looked up at run time: Swift's Glibc module
    /// does not declare it (it is a GNU extension).
    private static let closeFromAction: CloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()

    private static func errorText() -> String { String(cString: strerror(errno)) }

    /// Where the input files go: `$TMPDIR`, else `/tmp`.
    private static var temporaryDirectory: String {
        if let value = getenv("TMPDIR"), value.pointee != 0 { return String(cString: value) }
        return "/tmp"
    }
}
