import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import TTSTrackWire

extension CambClient {
    /// Longest a result download may take from first byte asked to last byte written.
    static let maxResultDuration: TimeAmount = .hours(1)

    /// Fetches the result of a SUCCESS task into `directory` as `<task_id>.<ext>`: audio by its
    /// `Content-Type` (`.flac`, `.wav`, `.mp3`, else `.bin`), a JSON result as `.json`. An empty
    /// body, one over `maxBytes`, or JSON where audio was expected is a failed attempt, and
    /// nothing appears under the final name.
    ///
    /// With `media`, the URLs a JSON result names (a dub's `audio_url` and `video_url`, the
    /// tracks of an audio separation, …) are fetched too, into `directory/<task_id>/`, with the
    /// same guarantees, before the JSON itself is saved: the result is done only once all of it
    /// is on disk, and a retry fetches the JSON anew, since those URLs expire.
    public func fetchResult(
        kind: String, runID: Int64, taskID: String, into directory: String, maxBytes: Int64, media: Bool
    ) async -> ResultOutcome {
        let current = self.current.withLock { $0 }
        guard let endpoint = ResultEndpoint.of(kind: kind) else {
            return .failed(.storage("the kind \(kind) has no result endpoint"))
        }
        guard let apiKey = current.settings.apiKey, !apiKey.isEmpty else { return .unauthorized(.noKey) }
        let request: HTTPClient.Request
        do {
            var headers = current.headers
            headers.replaceOrAdd(name: "accept", value: endpoint.body == .json ? "application/json" : "*/*")
            request = try HTTPClient.Request(
                url: endpoint.url(baseURL: current.settings.baseURL, runID: runID), headers: headers)
        } catch {
            return .failed(.api(.invalidURL(baseURL: current.settings.baseURL)))
        }
        var file: ResultFile?
        if endpoint.body == .audio {
            do {
                file = try await ResultFile.create(in: directory, for: taskID, pool: fileIO)
            } catch {
                return .failed(error as? ResultFailure ?? .storage("\(error)"))
            }
        }
        let received: ResultResponseDelegate.Received
        switch await receive(request, endpoint: endpoint, into: file, maxBytes: maxBytes, current: current) {
        case .success(let answer): received = answer
        case .failure(let stop): return stop.outcome
        }
        switch received {
        case .status(let status, let retryAfter, let retryAfterMs, let detail):
            await file?.discard()
            switch status {
            case 401, 403: return .unauthorized(.refused(status: status))
            case 429:
                return .rateLimited(
                    retryAfter: RetryAfter.seconds(retryAfter: retryAfter, retryAfterMs: retryAfterMs, now: .now()))
            default:
                return .failed(.api(.httpStatus(status, detail: StatusResponseDelegate.detail(of: detail))))
            }
        case .audio(let bytes, let contentType):
            guard let file else { return .failed(.storage("no file was opened")) }
            guard bytes > 0 else {
                await file.discard()
                return .failed(.emptyBody)
            }
            return await save(file, as: "\(taskID).\(ResultEndpoint.audioExtension(contentType: contentType))", bytes)
        case .json(let body, _):
            await file?.discard()
            guard body.readableBytes > 0 else { return .failed(.emptyBody) }
            if endpoint.body == .audio {
                let detail = (try? JSONParser.parse(body.readableBytesView)).flatMap(Self.errorText(in:))
                return .failed(.jsonInsteadOfAudio(detail))
            }
            let document: JSONValue
            do {
                document = try JSONParser.parse(body.readableBytesView)
            } catch {
                return .failed(.malformedJSON(error.reason))
            }
            if media {
                for link in MediaLink.all(in: document) {
                    let outcome = await fetchMedia(link, into: "\(directory)/\(taskID)", maxBytes: maxBytes)
                    guard case .saved = outcome else { return outcome }
                }
            }
            let jsonFile: ResultFile
            do {
                jsonFile = try await ResultFile.create(in: directory, for: taskID, pool: fileIO)
                try await jsonFile.write(body, on: group.next()).get()
            } catch {
                return .failed(error as? ResultFailure ?? .storage("\(error)"))
            }
            return await save(jsonFile, as: "\(taskID).json", Int64(body.readableBytes))
        }
    }

    /// One media file a JSON result names. The URL is the API's presigned link, possibly on
    /// another host: it is fetched without the key, which goes to the API's base URL only.
    private func fetchMedia(_ link: MediaLink, into directory: String, maxBytes: Int64) async -> ResultOutcome {
        let current = self.current.withLock { $0 }
        let request: HTTPClient.Request
        do {
            var headers = HTTPHeaders()
            headers.add(name: "user-agent", value: current.headers.first(name: "user-agent") ?? "ttstrackd")
            request = try HTTPClient.Request(url: link.url, headers: headers)
        } catch {
            return .failed(.storage("the result names a media URL that is not valid (\(link.name))"))
        }
        let file: ResultFile
        do {
            file = try await ResultFile.create(in: directory, for: link.name, pool: fileIO)
        } catch {
            return .failed(error as? ResultFailure ?? .storage("\(error)"))
        }
        let received: ResultResponseDelegate.Received
        switch await receive(
            request, endpoint: ResultEndpoint(path: "", body: .audio), into: file, maxBytes: maxBytes, current: current)
        {
        case .success(let answer): received = answer
        case .failure(let stop):
            if case .failed(.api(let failure)) = stop.outcome { return .failed(.media(link.name, "\(failure)")) }
            return stop.outcome
        }
        switch received {
        case .audio(let bytes, let contentType) where bytes > 0:
            return await save(file, as: link.fileName(contentType: contentType), bytes)
        case .audio:
            await file.discard()
            return .failed(.media(link.name, "empty"))
        case .json(_, _):
            await file.discard()
            return .failed(.media(link.name, "JSON where a media file was expected"))
        case .status(let status, _, _, _):
            await file.discard()
            return .failed(.media(link.name, status == 403 ? "HTTP 403 (the link may have expired)" : "HTTP \(status)"))
        }
    }

    /// Why a download ended without an answer to judge: the outcome to return (its temporary
    /// file already discarded).
    private struct Stop: Error {
        let outcome: ResultOutcome
    }

    /// Runs one download through a ``ResultResponseDelegate``, audio into `file`.
    private func receive(
        _ request: HTTPClient.Request, endpoint: ResultEndpoint, into file: ResultFile?, maxBytes: Int64,
        current: Current
    ) async -> Result<ResultResponseDelegate.Received, Stop> {
        let task = current.http.execute(
            request: request, delegate: ResultResponseDelegate(endpoint: endpoint, file: file, maxBytes: maxBytes),
            deadline: .now() + Self.maxResultDuration)
        do {
            return .success(
                try await withTaskCancellationHandler {
                    try await task.futureResult.get()
                } onCancel: {
                    task.cancel()
                })
        } catch {
            await file?.discard()
            if Task.isCancelled { return .failure(Stop(outcome: .cancelled)) }
            if let failure = error as? ResultFailure { return .failure(Stop(outcome: .failed(failure))) }
            let failure = TransportError.classify(
                error, host: request.host, proxy: current.settings.transport.proxy?.label)
            return .failure(Stop(outcome: .failed(.api(.transport(failure)))))
        }
    }

    private func save(_ file: ResultFile, as name: String, _ bytes: Int64) async -> ResultOutcome {
        do {
            return .saved(path: try await file.finish(as: name), bytes: bytes)
        } catch {
            await file.discard()
            return .failed(error as? ResultFailure ?? .storage("\(error)"))
        }
    }

    /// A short explanation from a JSON body, for the operator: `message`, `detail` or `error`.
    private static func errorText(in document: JSONValue) -> String? {
        for key in ["message", "detail", "error"] {
            if let text = document[key]?.stringValue { return String(text.prefix(200)) }
        }
        return nil
    }
}
