import NIOCore
import NIOHTTP1

/// The one per-connection handler: turns each complete request into an engine decision
/// and renders it. Sits behind NIO's HTTP/1.1 server pipeline, whose pipelining handler
/// guarantees we see the next request only after the previous response's `.end`, so the
/// per-request state below never overlaps.
///
/// All members are touched only on the channel's event loop (NIO's handler contract), so
/// the class needs no locking; delayed answers use the loop's isolated `scheduleTask`.
final class SimHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let engine: SimEngine
    private var requestHead: HTTPRequestHead?
    private var keepAlive = true
    private var version: HTTPVersion = .http1_1
    /// A status request of this connection is counted as in flight by the engine.
    private var tracked = false
    private var scheduled: Scheduled<Void>?
    /// `hugeBody` streaming state.
    private var streaming = false
    private var streamRemaining = 0
    private var streamSuffix = false

    init(engine: SimEngine) {
        self.engine = engine
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestHead = head
        case .body:
            break
        case .end:
            guard let head = requestHead else { return }
            requestHead = nil
            handle(head, context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if streaming, context.channel.isWritable { pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        abandon()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        abandon()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // I/O errors (resets by impatient clients) are expected here; just drop the connection.
        context.close(promise: nil)
    }

    // MARK: - Dispatch

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        keepAlive = head.isKeepAlive
        version = head.version
        engine.state.withLock { $0.requestsByHTTPMajorVersion[head.version.major, default: 0] += 1 }
        let decision = engine.plan(method: head.method, uri: head.uri, apiKey: head.headers.first(name: "x-api-key"))
        tracked = decision.tracked
        switch decision.plan {
        case .pendingFast:
            writeComplete(.ok, headers: SimCanned.pendingHeaders, body: SimCanned.pendingBody, context: context)
        case .unauthorized:
            writeComplete(
                .unauthorized,
                headers: SimCanned.unauthorizedHeaders,
                body: SimCanned.unauthorizedBody,
                context: context
            )
        case .pathNotFound:
            writeComplete(.notFound, headers: SimCanned.notFoundHeaders, body: SimCanned.notFoundBody, context: context)
        case .methodNotAllowed:
            writeComplete(
                .methodNotAllowed,
                headers: SimCanned.methodNotAllowedHeaders,
                body: SimCanned.methodNotAllowedBody,
                context: context
            )
        case .respond(let response):
            respond(response, context: context)
        case .audio(let runID, let format, let size):
            let body = SimAudio.bytes(runID: runID, format: format, size: size)
            let headers = HTTPHeaders([
                ("content-type", format.contentType), ("content-length", String(body.readableBytes)),
            ])
            writeComplete(.ok, headers: headers, body: body, context: context)
        case .resultJSON(let endpoint, let runID):
            let body = engine.state.withLock { s in
                SimResults.json(endpoint: endpoint, runID: runID, base: s.baseURL, lifetime: s.fileURLLifetime)
            }
            writeComplete(.ok, headers: SimCanned.jsonHeaders(length: body.readableBytes), body: body, context: context)
        case .expired:
            respond(.http(403, body: #"{"detail":"This link has expired"}"#), context: context)
        case .fileURL(let url):
            var body = context.channel.allocator.buffer(capacity: url.utf8.count + 16)
            SimJSON.fileURL(url, into: &body)
            writeComplete(.ok, headers: SimCanned.jsonHeaders(length: body.readableBytes), body: body, context: context)
        }
    }

    private func respond(_ response: SimResponse, context: ChannelHandlerContext) {
        switch response {
        case .status(let status, let runID, let reason, let message, let extraFields):
            var body = context.channel.allocator.buffer(capacity: 128)
            SimJSON.status(
                status,
                runID: runID,
                reason: reason,
                message: message,
                extraFields: extraFields,
                into: &body
            )
            writeComplete(.ok, headers: SimCanned.jsonHeaders(length: body.readableBytes), body: body, context: context)
        case .http(let code, let extraHeaders, let bodyText):
            var headers = HTTPHeaders()
            var hasContentType = false
            for (name, value) in extraHeaders {
                let lower = name.lowercased()
                if lower == "content-length" || lower == "transfer-encoding" { continue }
                if lower == "content-type" { hasContentType = true }
                headers.add(name: name, value: value)
            }
            if !bodyText.isEmpty, !hasContentType { headers.add(name: "content-type", value: "application/json") }
            let body = ByteBuffer(string: bodyText)
            headers.add(name: "content-length", value: String(body.readableBytes))
            writeComplete(HTTPResponseStatus(statusCode: code), headers: headers, body: body, context: context)
        case .malformedJSON:
            writeCanned(SimCanned.malformedBody, context: context)
        case .invalidUTF8:
            writeCanned(SimCanned.invalidUTF8Body, context: context)
        case .wrongTypes:
            writeCanned(SimCanned.wrongTypesBody, context: context)
        case .missingStatus:
            writeCanned(SimCanned.missingStatusBody, context: context)
        case .delayed(let delay, let inner):
            scheduled = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) {
                self.scheduled = nil
                self.respond(inner, context: context)
            }
        case .hang:
            break  // Stays tracked until the connection closes.
        case .hugeBody(let size):
            startHugeBody(size: max(0, size), context: context)
        case .stallMidBody(let contentType, let declared, let sent):
            let headers = HTTPHeaders([("content-type", contentType), ("content-length", String(declared))])
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .ok, headers: headers))), promise: nil)
            let part = SimAudio.bytes(runID: 0, size: max(0, min(sent, declared)))
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(part))), promise: nil)
        // Nothing more: the client sees a download that stops midway.
        case .resetMidBody:
            var headers = SimCanned.jsonHeaders(length: SimCanned.resetDeclaredLength)
            headers.replaceOrAdd(name: "connection", value: "close")
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .ok, headers: headers))), promise: nil)
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(SimCanned.resetFragment))), promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    // MARK: - Writing

    private func writeCanned(_ body: ByteBuffer, context: ChannelHandlerContext) {
        writeComplete(.ok, headers: SimCanned.jsonHeaders(length: body.readableBytes), body: body, context: context)
    }

    /// Writes a whole response; `headers` must already carry `content-length`.
    private func writeComplete(
        _ status: HTTPResponseStatus,
        headers: HTTPHeaders,
        body: ByteBuffer,
        context: ChannelHandlerContext
    ) {
        writeHead(status, headers: headers, context: context)
        if body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        writeEnd(context: context)
    }

    private func writeHead(_ status: HTTPResponseStatus, headers: HTTPHeaders, context: ChannelHandlerContext) {
        var headers = headers
        if !keepAlive {
            headers.replaceOrAdd(name: "connection", value: "close")
        } else if version.major == 1, version.minor == 0 {
            headers.replaceOrAdd(name: "connection", value: "keep-alive")
        }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
    }

    private func writeEnd(context: ChannelHandlerContext) {
        finishTracked()
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    // MARK: - Huge bodies

    private func startHugeBody(size: Int, context: ChannelHandlerContext) {
        writeHead(.ok, headers: SimCanned.jsonHeaders(length: size), context: context)
        let framing = SimCanned.hugePrefix.readableBytes + SimCanned.hugeSuffix.readableBytes
        if size >= framing {
            context.write(wrapOutboundOut(.body(.byteBuffer(SimCanned.hugePrefix))), promise: nil)
            streamRemaining = size - framing
            streamSuffix = true
        } else {
            streamRemaining = size
            streamSuffix = false
        }
        streaming = true
        pump(context: context)
    }

    /// Writes padding chunks while the channel is writable; resumes from
    /// `channelWritabilityChanged`, so at most a few chunks are ever buffered.
    private func pump(context: ChannelHandlerContext) {
        let chunk = SimCanned.paddingChunk
        while streaming, streamRemaining > 0, context.channel.isWritable {
            let length = min(streamRemaining, chunk.readableBytes)
            streamRemaining -= length
            let slice = chunk.getSlice(at: chunk.readerIndex, length: length) ?? chunk
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(slice))), promise: nil)
        }
        guard streaming, streamRemaining == 0 else { return }
        streaming = false
        if streamSuffix {
            context.write(wrapOutboundOut(.body(.byteBuffer(SimCanned.hugeSuffix))), promise: nil)
        }
        writeEnd(context: context)
    }

    // MARK: - Bookkeeping

    private func finishTracked() {
        if tracked {
            tracked = false
            engine.requestFinished()
        }
    }

    /// The connection is gone: stop timers and streams and release the in-flight slot.
    private func abandon() {
        scheduled?.cancel()
        scheduled = nil
        streaming = false
        finishTracked()
    }
}
