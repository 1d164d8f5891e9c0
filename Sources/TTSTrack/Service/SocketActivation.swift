#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// systemd socket activation (`sd_listen_fds`): the listening socket handed over as fd 3.
public enum SocketActivation {
    /// The inherited listening socket, when `LISTEN_PID` is this process and `LISTEN_FDS` ≥ 1.
    public static func listeningSocket(environment: [String: String], pid: Int32? = nil) -> Int32? {
        let pid = pid ?? getpid()
        guard let pidText = environment["LISTEN_PID"], Int32(pidText) == pid,
            let countText = environment["LISTEN_FDS"], let count = Int(countText), count >= 1
        else { return nil }
        let fd: Int32 = 3
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    /// Keeps the variables from leaking into child processes.
    public static func clearEnvironment() {
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
    }
}
