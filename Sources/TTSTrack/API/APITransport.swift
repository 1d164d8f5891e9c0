import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How the status requests reach the API: the extra CAs trusted besides the system's
/// (`api.ca_file`), the proxy, and the HTTP version. Changing any of them needs a new
/// HTTP client (``CambClient`` makes one on reload); the rest of ``CambClient/Settings``
/// does not.
public struct APITransport: Sendable, Equatable {
    /// Why the transport cannot be set up; names the key and the file.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// `api.ca_file`, empty when none.
    public let caFile: String
    /// Its certificates, read once here so a broken file stops a start or a reload instead of
    /// failing each connection later.
    let caCertificates: [NIOSSLCertificate]
    public let proxy: APIProxy?
    public let httpVersion: APIHTTPVersion

    /// Plain HTTP/HTTPS with the system's trust store, no proxy, `auto`.
    public init() {
        caFile = ""
        caCertificates = []
        proxy = nil
        httpVersion = .auto
    }

    /// - Throws: ``Invalid`` when `caFile` cannot be read or holds no PEM certificate.
    public init(caFile: String, proxy: APIProxy?, httpVersion: APIHTTPVersion) throws(Invalid) {
        self.caFile = caFile
        self.proxy = proxy
        self.httpVersion = httpVersion
        guard !caFile.isEmpty else {
            caCertificates = []
            return
        }
        let bytes = try Self.read(caFile)
        guard bytes.firstRange(of: Array("-----BEGIN CERTIFICATE-----".utf8)) != nil else {
            throw Invalid(description: "api.ca_file \(caFile) holds no PEM certificate")
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw Invalid(description: "api.ca_file \(caFile) holds a PEM certificate that cannot be read")
        }
        caCertificates = certificates
    }

    /// The client side of TLS: the system's trust store plus `api.ca_file`, full verification
    /// (chain, dates and host name), and ALPN as `api.http_version` asks.
    var tlsConfiguration: TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !caCertificates.isEmpty { tls.additionalTrustRoots = [.certificates(caCertificates)] }
        return tls
    }

    private static func read(_ path: String) throws(Invalid) -> [UInt8] {
        guard let file = fopen(path, "r") else {
            throw Invalid(description: "api.ca_file \(path) cannot be read: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            bytes += buffer[0..<count]
            if count < buffer.count { break }
            // A trust file is a few hundred KiB at most; stop a device or a huge file here.
            guard bytes.count < 16 << 20 else {
                throw Invalid(description: "api.ca_file \(path) is larger than 16 MiB")
            }
        }
        if ferror(file) != 0 {
            throw Invalid(description: "api.ca_file \(path) cannot be read: \(String(cString: strerror(errno)))")
        }
        return bytes
    }
}
