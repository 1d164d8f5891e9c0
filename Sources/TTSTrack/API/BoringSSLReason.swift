import NIOSSL

/// One entry of BoringSSL's error stack, reduced to what a message may show: its packed error
/// code and its reason in words (`CERTIFICATE_VERIFY_FAILED` → "certificate verify failed").
///
/// NIOSSL keeps the code private and exposes it only in the entry's description,
/// `Error: <code> error:<hex>:<library>:<function>:<REASON> at <source path>:<line>`; the
/// code and the reason are read from there, and the source path is dropped.
struct BoringSSLReason: Sendable, Equatable {
    /// BoringSSL's packed code: library in the top byte, reason in the low 12 bits.
    let code: UInt32?
    /// The reason in lower case words, when BoringSSL named one.
    let words: String?

    /// `ERR_LIB_SSL`.
    private static let librarySSL: UInt32 = 16
    /// `SSL_R_CERTIFICATE_VERIFY_FAILED`.
    private static let reasonCertificateVerifyFailed: UInt32 = 125
    /// `SSL_R_WRONG_VERSION_NUMBER`: the answer to the ClientHello was not TLS.
    private static let reasonWrongVersionNumber: UInt32 = 267

    init(_ error: BoringSSLInternalError) {
        self.init(description: error.description)
    }

    init(description: String) {
        var rest = Substring(description)
        if rest.hasPrefix("Error: ") { rest = rest.dropFirst("Error: ".count) }
        code = UInt32(rest.prefix(while: \.isNumber))
        // "error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /…"
        if let start = rest.range(of: "error:") {
            let message = rest[start.upperBound...]
            let beforeSource = message.range(of: " at ").map { message[..<$0.lowerBound] } ?? message
            let reason = beforeSource.split(separator: ":").last ?? ""
            let isWord = !reason.isEmpty && reason.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            words = isWord ? String(reason.lowercased().map { $0 == "_" ? " " : $0 }) : nil
        } else {
            words = nil
        }
    }

    private var library: UInt32? { code.map { $0 >> 24 } }
    private var reason: UInt32? { code.map { $0 & 0xFFF } }

    var isCertificateVerifyFailed: Bool {
        library == Self.librarySSL && reason == Self.reasonCertificateVerifyFailed
    }

    var isWrongVersionNumber: Bool {
        library == Self.librarySSL && reason == Self.reasonWrongVersionNumber
    }
}
