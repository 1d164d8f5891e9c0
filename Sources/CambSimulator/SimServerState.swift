import NIOCore
import NIOPosix

/// Lifecycle state of the listening server, guarded by a `Mutex` in `CambSimulator`.
struct SimServerState: Sendable {
    enum Phase: Sendable { case idle, running, stopped }

    var phase = Phase.idle
    var group: MultiThreadedEventLoopGroup?
    var serverChannel: (any Channel)?
    var port = 0
    var host = "127.0.0.1"
    /// Serving HTTPS.
    var tls = false
    /// Open child connections, so `shutdown` can close hanging ones explicitly.
    var connections: [ObjectIdentifier: any Channel] = [:]
}
