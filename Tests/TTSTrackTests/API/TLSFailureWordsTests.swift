import Glibc
import NIOSSL
import TTSTrackTestSupport
import Testing

@testable import TTSTrack

/// The pieces behind the TLS messages: BoringSSL's error entry read for its code and reason
/// (never its source path), and a certificate's dates telling expired from not yet valid.
@Suite struct TLSFailureWordsTests {
    /// The entry from the issue, as NIOSSL describes it.
    static let verifyFailed =
        "Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at "
        + "/work/x/.build/checkouts/swift-nio-ssl/Sources/CNIOBoringSSL/ssl/handshake.cc:298"

    @Test func boringSSLEntriesAreReadForTheirCodeAndReason() {
        let verify = BoringSSLReason(description: Self.verifyFailed)
        #expect(verify.code == 268_435_581 && verify.isCertificateVerifyFailed && !verify.isWrongVersionNumber)
        #expect(verify.words == "certificate verify failed")
        let version = BoringSSLReason(
            description:
                "Error: 268435723 error:1000010b:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER at /a/b.cc:1")
        #expect(version.isWrongVersionNumber && version.words == "wrong version number")
        let synthetic = BoringSSLReason(description: "EOF during handshake")
        #expect(synthetic.code == nil && synthetic.words == nil)
    }

    @Test func theDatesTellExpiredFromNotYetValidFromUntrusted() throws {
        let certificates = try TestCertificates.make()
        let leaf = try NIOSSLCertificate.fromPEMFile(certificates.valid.certificate)
        let untrusted = TransportError(.certificateUntrusted, host: "api.example", detail: "…")
        let during = CertificateDiagnosis.judge(untrusted, chain: leaf, now: leaf[0].notValidBefore + 60)
        #expect(during == untrusted, "within its dates the certificate is just not trusted")
        let before = CertificateDiagnosis.judge(untrusted, chain: leaf, now: leaf[0].notValidBefore - 3600)
        #expect(before.kind == .certificateNotYetValid)
        #expect(
            before.description
                == "certificate of api.example not valid yet: valid from "
                + "\(CertificateDiagnosis.format(leaf[0].notValidBefore)); is the clock right?")
        let after = CertificateDiagnosis.judge(untrusted, chain: leaf, now: leaf[0].notValidAfter + 1)
        #expect(
            after.description
                == "certificate of api.example expired: valid until \(CertificateDiagnosis.format(leaf[0].notValidAfter))"
        )
        #expect(CertificateDiagnosis.format(0) == "1970-01-01 00:00 UTC")
    }
}
