import NIOSSL

/// What the simulator needs to serve HTTPS: a certificate chain and its key (PEM), and
/// whether to offer HTTP/2 by ALPN beside HTTP/1.1. Tests make the files with a CA of their
/// own at test time; `camb-sim --tls-cert FILE --tls-key FILE` reads them too.
public struct SimTLS: Sendable {
    let context: NIOSSLContext
    /// Offer `h2` first, then `http/1.1`; else only `http/1.1`.
    public let offerHTTP2: Bool

    /// - Throws: NIOSSL's error when a file cannot be read or parsed.
    public init(certificateFile: String, keyFile: String, offerHTTP2: Bool = true) throws {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.applicationProtocols = offerHTTP2 ? ["h2", "http/1.1"] : ["http/1.1"]
        context = try NIOSSLContext(configuration: configuration)
        self.offerHTTP2 = offerHTTP2
    }
}
