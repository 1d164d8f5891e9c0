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
        let request = Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw BenchError("cannot send the /metrics request: \(String(cString: strerror(errno)))")
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else {
                if errno == EINTR { continue }
                throw BenchError("cannot read /metrics: \(String(cString: strerror(errno)))")
            }
            response.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 200"), let body = text.range(of: "\r\n\r\n") else {
            throw BenchError("/metrics answered: \(text.prefix(80))")
        }
        var values: [String: Double] = [:]
        for line in text[body.upperBound...].split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, !parts[0].contains("{"), let value = Double(parts[1]) {
                values[String(parts[0])] = value
            }
        }
        return MetricsScrape(values: values)
    }

    /// What `later` counted more than `self` of `name` (0 when absent).
    func growth(to later: MetricsScrape, of name: String) -> Double {
        (later.values[name] ?? 0) - (values[name] ?? 0)
    }
}
