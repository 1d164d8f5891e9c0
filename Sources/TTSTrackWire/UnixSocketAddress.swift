#if canImport(Glibc)
package import Glibc
#elseif canImport(Musl)
package import Musl
#endif

/// A `sockaddr_un` built from a path, in one place: the control socket, its client, the
/// stale-socket probe and `sd_notify` all need one. A leading `@` names an abstract address.
package struct UnixSocketAddress {
    private var storage = sockaddr_un()
    private let length: socklen_t

    /// `nil` when the path does not fit in `sun_path`.
    package init?(path: String) {
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: storage.sun_path) else { return nil }
        storage.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            raw.copyBytes(from: bytes)
            if !abstract { raw[bytes.count] = 0 }
        }
        // An abstract address is exactly its bytes; a path is NUL-terminated.
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
    }

    /// Calls `body` with the address as the C socket calls take it.
    package func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        withUnsafePointer(to: storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// `connect(2)` on `fd`; 0 on success, -1 with `errno` set otherwise.
    package func connect(_ fd: Int32) -> Int32 {
        withSockaddr { address, length in systemConnect(fd, address, length) }
    }

    /// `bind(2)` on `fd`; 0 on success, -1 with `errno` set otherwise.
    package func bind(_ fd: Int32) -> Int32 {
        withSockaddr { address, length in systemBind(fd, address, length) }
    }
}

#if canImport(Glibc)
private let systemConnect = Glibc.connect
private let systemBind = Glibc.bind
#elseif canImport(Musl)
private let systemConnect = Musl.connect
private let systemBind = Musl.bind
#endif
