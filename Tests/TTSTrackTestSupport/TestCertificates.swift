import Foundation

/// A CA made at test time with the `openssl` command, and server certificates from it, written
/// as PEM files to a directory: a valid one for `localhost`/127.0.0.1/::1, an expired one, one
/// for another name, and a self-signed one nobody trusts. P-256 keys, so making them all takes
/// a fraction of a second.
public struct TestCertificates: Sendable {
    /// A certificate (chain) file and its key file.
    public struct Pair: Sendable {
        public let certificate: String
        public let key: String
    }

    public let directory: String
    /// The test CA's certificate, for `api.ca_file`.
    public let caFile: String
    /// For localhost, 127.0.0.1 and ::1, valid for two days.
    public let valid: Pair
    /// For the same names, signed by the CA, ended a day before it began (the `openssl x509`
    /// of Debian 12 sets no start date in the past).
    public let expired: Pair
    /// Signed by the CA for `other.example` only.
    public let wrongName: Pair
    /// Self-signed for localhost and 127.0.0.1: no CA anyone trusts signed it.
    public let selfSigned: Pair

    /// Why the certificates could not be made.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Makes them all in `directory` (which must exist).
    public init(in directory: String) throws {
        self.directory = directory
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        func openssl(_ arguments: String...) throws {
            let result = runCommand(["openssl"] + arguments)
            guard result.status == 0 else {
                throw Failure(
                    description:
                        "openssl \(arguments.first ?? "") failed (status \(result.status)); is openssl installed?")
            }
        }
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        let caFile = path("ca.pem")
        self.caFile = caFile
        let caKey = path("ca.key")
        try openssl(
            "req", "-x509", curve[0], curve[1], curve[2], curve[3], curve[4], "-keyout", caKey, "-out", caFile,
            "-subj", "/CN=ttstrack test CA", "-days", "2")
        func signed(_ name: String, names: String, days: String, ca: Bool = true) throws -> Pair {
            let pair = Pair(certificate: path("\(name).pem"), key: path("\(name).key"))
            let extensions = path("\(name).ext")
            try "subjectAltName=\(names)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                .write(toFile: extensions, atomically: true, encoding: .utf8)
            if ca {
                let request = path("\(name).csr")
                try openssl(
                    "req", curve[0], curve[1], curve[2], curve[3], curve[4], "-keyout", pair.key, "-out", request,
                    "-subj", "/CN=\(name)")
                try openssl(
                    "x509", "-req", "-in", request, "-CA", caFile, "-CAkey", caKey, "-CAcreateserial", "-days", days,
                    "-extfile", extensions, "-out", pair.certificate)
            } else {
                try openssl(
                    "req", "-x509", curve[0], curve[1], curve[2], curve[3], curve[4], "-keyout", pair.key, "-out",
                    pair.certificate, "-subj", "/CN=\(name)", "-days", days, "-addext", "subjectAltName=\(names)")
            }
            return pair
        }
        let local = "DNS:localhost,IP:127.0.0.1,IP:::1"
        let valid = try signed("valid", names: local, days: "2")
        let expired = try signed("expired", names: local, days: "-1")
        let wrongName = try signed("wrong-name", names: "DNS:other.example", days: "2")
        let selfSigned = try signed("self-signed", names: local, days: "2", ca: false)
        (self.valid, self.expired, self.wrongName, self.selfSigned) = (valid, expired, wrongName, selfSigned)
    }
}

extension TestCertificates {
    /// One set for the whole test process, made on first use: making them starts a dozen
    /// `openssl` processes, which tests running side by side need not repeat.
    public static func make() throws -> TestCertificates {
        try shared.get()
    }

    private static let shared = Result {
        try TestCertificates(in: DaemonProcess.makeTemporaryDirectory(prefix: "ttstrack-certs"))
    }
}
