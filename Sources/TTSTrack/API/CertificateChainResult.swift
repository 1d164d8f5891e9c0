import NIOCore
import NIOSSL
import Synchronization

/// The outcome of one ``CertificateDiagnosis`` probe: a promise completed once, by whichever
/// comes first (the presented chain, the connection's close, the time limit), from any thread.
final class CertificateChainResult: Sendable {
    private let promise: Mutex<EventLoopPromise<[NIOSSLCertificate]?>?>
    let future: EventLoopFuture<[NIOSSLCertificate]?>

    init(_ promise: EventLoopPromise<[NIOSSLCertificate]?>) {
        self.promise = Mutex(promise)
        future = promise.futureResult
    }

    func finish(_ chain: [NIOSSLCertificate]?) {
        promise.withLock { promise in
            let taken = promise
            promise = nil
            return taken
        }?.succeed(chain)
    }
}
