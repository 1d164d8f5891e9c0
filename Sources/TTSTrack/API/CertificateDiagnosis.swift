import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells why a server's certificate failed verification. BoringSSL reports an untrusted, an
/// expired and a not-yet-valid certificate alike (`CERTIFICATE_VERIFY_FAILED`, its verify result
/// out of reach behind AsyncHTTPClient), so after such a failure one more handshake is made
/// (through the same proxy) only to read the certificates the server presents; their dates
/// tell an expired or not-yet-valid certificate from an untrusted one.
///
/// Checks failing at the same time share one probe, and its answer serves the failures of the
/// next ``reuseFor`` too: a burst of failing checks makes one extra handshake, not one each,
/// while a certificate changed on the server is seen within that time. A probe takes at most
/// ``limit``.
final class CertificateDiagnosis: Sendable {
    private struct Probe: Sendable {
        var startedAt: ContinuousClock.Instant
        var answer: Task<TransportError, Never>
    }

    private let group: any EventLoopGroup
    private let probes = Mutex<[String: Probe]>([:])
    /// The TLS context of the last transport probed: making one reads the whole system trust
    /// store, which is worth doing once, not per probe.
    private let context = Mutex<(transport: APITransport, context: NIOSSLContext)?>(nil)
    static let reuseFor = Duration.milliseconds(250)
    static let limit = Duration.milliseconds(500)

    init(group: any EventLoopGroup) {
        self.group = group
    }

    /// `failure` (classified untrusted) made precise: expired or not valid yet when the
    /// presented certificates say so, else as it was.
    func refine(_ failure: TransportError, port: Int, transport: APITransport) async -> TransportError {
        guard failure.kind == .certificateUntrusted else { return failure }
        let key = "\(failure.host):\(port)"
        let now = ContinuousClock.now
        let answer = probes.withLock { probes in
            if let probe = probes[key], now - probe.startedAt < Self.reuseFor { return probe.answer }
            let answer = Task { await self.probe(failure, port: port, transport: transport) }
            probes = probes.filter { now - $0.value.startedAt < Self.reuseFor }
            probes[key] = Probe(startedAt: now, answer: answer)
            return answer
        }
        return await answer.value
    }

    private func probe(_ failure: TransportError, port: Int, transport: APITransport) async -> TransportError {
        guard let context = context(for: transport),
            let chain = await presentedChain(host: failure.host, port: port, context: context, proxy: transport.proxy)
        else { return failure }
        return Self.judge(failure, chain: chain, now: time(nil))
    }

    /// Expired or not yet valid by the dates of the presented chain, leaf first.
    static func judge(_ failure: TransportError, chain: [NIOSSLCertificate], now: time_t) -> TransportError {
        for (index, certificate) in chain.enumerated() {
            let whose = index == 0 ? "" : " (a CA certificate of its chain)"
            if certificate.notValidAfter < now {
                return TransportError(
                    .certificateExpired, host: failure.host,
                    detail: "valid until \(Self.format(certificate.notValidAfter))\(whose)", proxy: failure.proxy)
            }
            if certificate.notValidBefore > now {
                return TransportError(
                    .certificateNotYetValid, host: failure.host,
                    detail: "valid from \(Self.format(certificate.notValidBefore))\(whose); is the clock right?",
                    proxy: failure.proxy)
            }
        }
        return failure
    }

    /// `2026-11-30 10:29 UTC`.
    static func format(_ seconds: time_t) -> String {
        var value = seconds
        var parts = tm()
        gmtime_r(&value, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M UTC", &parts)
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The certificates `host` presents, or `nil` when the probe got none within ``limit``.
    private func presentedChain(
        host: String, port: Int, context: NIOSSLContext, proxy: APIProxy?
    ) async -> [NIOSSLCertificate]? {
        let loop = group.next()
        let result = CertificateChainResult(loop.makePromise(of: [NIOSSLCertificate]?.self))
        let timeout = loop.scheduleTask(in: .nanoseconds(Int64(Self.limit.seconds * 1e9))) { result.finish(nil) }
        // SNI carries names only; an address is verified against the certificate without it.
        let serverName = Self.isAddress(host) ? nil : host
        let target = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.milliseconds(Int64(Self.limit.seconds * 1000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tlsHandler = try NIOSSLClientHandler(
                        context: context, serverHostname: serverName,
                        customVerificationCallback: { chain, verdict in
                            result.finish(chain)
                            verdict.succeed(.failed)
                        })
                    let sync = channel.pipeline.syncOperations
                    if let proxy {
                        let established = channel.eventLoop.makePromise(of: Void.self)
                        try sync.addHandler(
                            ProxyTunnelHandler(
                                target: target, authorization: proxy.basicAuthorization, established: established))
                        established.futureResult.assumeIsolated().whenSuccess {
                            _ = try? channel.pipeline.syncOperations.addHandler(tlsHandler)
                        }
                    } else {
                        try sync.addHandler(tlsHandler)
                    }
                }
            }
        let connecting =
            proxy.map { bootstrap.connect(host: $0.host, port: $0.port) }
            ?? bootstrap.connect(host: host, port: port)
        connecting.whenComplete { connected in
            switch connected {
            case .success(let channel):
                channel.closeFuture.whenComplete { _ in result.finish(nil) }
                result.future.whenComplete { _ in channel.close(promise: nil) }
            case .failure:
                result.finish(nil)
            }
        }
        let chain = try? await result.future.get()
        timeout.cancel()
        return chain ?? nil
    }

    private func context(for transport: APITransport) -> NIOSSLContext? {
        if let cached = context.withLock({ $0 }), cached.transport == transport { return cached.context }
        guard let made = try? NIOSSLContext(configuration: transport.tlsConfiguration) else { return nil }
        context.withLock { $0 = (transport, made) }
        return made
    }

    private static func isAddress(_ host: String) -> Bool {
        host.contains(":") || host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
    }
}
