import Foundation
import NIOCore
import NIOPosix

/// A deliberately tiny HTTP/1.1 client over raw TCP, so tests see exactly the bytes the
/// simulator sends (invalid UTF-8, truncated bodies, pipelined responses) without any
/// client library normalising them.
enum RawHTTPClient {
    /// Sends `GET path` with `Connection: close` and returns the parsed response.
    static func get(port: Int, _ path: String, apiKey: String? = "sim-key") async throws -> RawResponse {
        let bytes = try await exchange(port: port, request: request(path, apiKey: apiKey, close: true))
        guard let response = parse(bytes[...]).first else { throw Unparsable(byteCount: bytes.count) }
        return response
    }

    /// Builds a request text.
    static func request(_ path: String, apiKey: String? = "sim-key", close: Bool) -> String {
        var text = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let apiKey { text += "x-api-key: \(apiKey)\r\n" }
        if close { text += "Connection: close\r\n" }
        return text + "\r\n"
    }

    /// Writes `request` on a fresh connection and collects everything until the server closes.
    static func exchange(port: Int, request: String) async throws -> [UInt8] {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: [UInt8].self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(promise: promise))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        try await channel.writeAndFlush(ByteBuffer(string: request))
        return try await promise.futureResult.get()
    }

    /// Splits a byte stream into consecutive responses (content-length framed; the last
    /// one may be truncated).
    static func parse(_ input: ArraySlice<UInt8>) -> [RawResponse] {
        var rest = input
        var responses: [RawResponse] = []
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while !rest.isEmpty {
            guard let end = rest.indices.first(where: { rest[$0...].starts(with: separator) }) else { break }
            let headText = String(decoding: rest[rest.startIndex..<end], as: UTF8.self)
            var lines = headText.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst().split(separator: " ")
            let status = statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0
            let headers = lines.compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            rest = rest[(end + separator.count)...]
            var response = RawResponse(status: status, headers: headers, body: [])
            let length = response.header("content-length").flatMap { Int($0) } ?? rest.count
            response.body = Array(rest.prefix(length))
            rest = rest.dropFirst(min(length, rest.count))
            responses.append(response)
        }
        return responses
    }
}

extension RawHTTPClient {
    /// Thrown when no HTTP response head arrived before the connection closed.
    struct Unparsable: Error {
        let byteCount: Int
    }
}

/// Accumulates all received bytes and completes when the connection closes.
private final class Collector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let promise: EventLoopPromise<[UInt8]>
    private var bytes: [UInt8] = []

    init(promise: EventLoopPromise<[UInt8]>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        bytes.append(contentsOf: buffer.readableBytesView)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.succeed(bytes)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
