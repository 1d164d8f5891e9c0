import Foundation
import TTSTrackTestSupport

/// The daemon's `/metrics`, fetched over a plain HTTP/1.1 request, as the unlabelled samples
/// (name → value) that a benchmark reads: a histogram's `_sum` and `_count`, a plain counter.
struct MetricsScrape {
    let values: [String: Double]

    static func take(port: Int) throws(BenchError) -> MetricsScrape {
        let descriptor: Int32
        do {
            descriptor = try connectLoopback(port: port)
        } catch {
            throw BenchError("cannot connect to /metrics on port \(port): \(error)")
        }
        defer { close(descriptor) }
        // A daemon that stops answering fails the run, as the clients' 30 s does.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else {
                if count < 0 && errno == EINTR { continue }
                throw BenchError("cannot send the /metrics request: \(String(cString: strerror(errno)))")
            }
            sent += count
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else {
                if errno == EINTR { continue }
                if errno == EAGAIN { throw BenchError("/metrics did not answer within 30 s") }
                throw BenchError("cannot read /metrics: \(String(cString: strerror(errno)))")
            }
            response.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 200"), let end = text.range(of: "\r\n\r\n") else {
            throw BenchError("/metrics answered: \(text.prefix(80))")
        }
        let head = text[..<end.lowerBound].lowercased()
        let body = text[end.upperBound...]
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
        guard let length, body.utf8.count == length else {
            throw BenchError(
                "/metrics sent \(body.utf8.count) bytes of a body of \(length.map(String.init) ?? "unknown length")")
        }
        var values: [String: Double] = [:]
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, !parts[0].contains("{"), let value = Double(parts[1]) {
                values[String(parts[0])] = value
            }
        }
        return MetricsScrape(values: values)
    }

    /// What `later` counted more than `self` of `name`, which both must have.
    func growth(to later: MetricsScrape, of name: String) throws(BenchError) -> Double {
        guard let first = values[name], let last = later.values[name] else {
            throw BenchError("/metrics has no \(name): is ttstrackd of this build?")
        }
        return last - first
    }
}
