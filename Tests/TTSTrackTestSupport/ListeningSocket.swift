import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP socket listening on a free loopback port, for as long as the test holds it.
public final class ListeningSocket {
    public let descriptor: Int32
    public let port: Int

    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 1) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    public func close() { _ = Glibc.close(descriptor) }
}

/// A loopback port nothing listens on now (the kernel's pick, let go at once).
public func freeLoopbackPort() throws -> Int {
    let socket = try ListeningSocket()
    defer { socket.close() }
    return socket.port
}

/// 127.0.0.1:`port` (0: the kernel picks one when binding).
private func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return address
}

/// A TCP connection to `port` on 127.0.0.1, as a bare descriptor the caller closes: for tests
/// that only need a peer to exist (a connection waiting to be served).
public func connectLoopback(port: Int) throws -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
    var address = loopbackAddress(port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else {
        let code = POSIXErrorCode(rawValue: errno) ?? .ECONNREFUSED
        _ = Glibc.close(descriptor)
        throw POSIXError(code)
    }
    return descriptor
}

/// `count` descriptors from `open`, all or none: when one fails, those already open are closed.
public func openDescriptors(_ count: Int, _ open: () throws -> Int32) throws -> [Int32] {
    var descriptors: [Int32] = []
    do {
        for _ in 0..<count { descriptors.append(try open()) }
    } catch {
        descriptors.forEach { _ = Glibc.close($0) }
        throw error
    }
    return descriptors
}
