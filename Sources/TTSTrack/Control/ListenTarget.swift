/// Where the control socket comes from.
public enum ListenTarget: Sendable, Equatable {
    /// Bind a Unix socket at this path with this mode.
    case path(String, mode: UInt32)
    /// A listening socket handed over by systemd (`LISTEN_FDS`).
    case inherited(fd: Int32)
}
