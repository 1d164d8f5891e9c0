import CambSimulator
import Foundation
import Testing

@Suite("CambSimulator over real HTTP")
struct CambSimulatorTests {
    @Test func scriptedSequenceIsServedInOrderAndLastStepRepeats() async throws {
        try await withSimulator { sim in
            sim.script("job-1", [.pending, .status("PENDING", extraFields: true), .success(runID: 42)])
            let port = sim.port
            var statuses: [String?] = []
            var runIDs: [Int?] = []
            for _ in 0..<5 {
                let response = try await RawHTTPClient.get(port: port, "/tts/job-1")
                #expect(response.status == 200)
                #expect(response.header("content-type") == "application/json")
                let object = try json(response)
                statuses.append(object["status"] as? String)
                runIDs.append(object["run_id"] as? Int)
                if statuses.count == 2 { #expect(object["progress"] as? Double == 0.5) }
            }
            #expect(statuses == ["PENDING", "PENDING", "SUCCESS", "SUCCESS", "SUCCESS"])
            #expect(runIDs == [nil, nil, 42, 42, 42])
            #expect(sim.requestCount(taskID: "job-1") == 5)
            #expect(sim.requestCount(taskID: "job-1", kind: "dub") == 0)
            #expect(sim.totalRequests() == 5)
        }
    }

    @Test func scriptIsPerKind() async throws {
        try await withSimulator { sim in
            sim.script("same", kind: "dub", [.status("ERROR", reason: "PROCESSING_ERROR", message: .string("boom"))])
            let dub = try await RawHTTPClient.get(port: sim.port, "/dub/same")
            let object = try json(dub)
            #expect(object["status"] as? String == "ERROR")
            #expect(object["exception_reason"] as? String == "PROCESSING_ERROR")
            #expect(object["message"] as? String == "boom")
            let tts = try await RawHTTPClient.get(port: sim.port, "/tts/same")
            #expect(try statusOf(tts) == "PENDING")
        }
    }

    @Test func wrongOrMissingKeyIsRejected() async throws {
        try await withSimulator { sim in
            let wrong = try await RawHTTPClient.get(port: sim.port, "/tts/k1", apiKey: "nope")
            #expect(wrong.status == 401)
            #expect(try json(wrong)["detail"] as? String == "Invalid API key")
            let missing = try await RawHTTPClient.get(port: sim.port, "/tts/k1", apiKey: nil)
            #expect(missing.status == 401)
            let result = try await RawHTTPClient.get(port: sim.port, "/tts-result/1", apiKey: "nope")
            #expect(result.status == 401)
            #expect(sim.requestCount(taskID: "k1") == 2)
            #expect(sim.totalRequests() == 2)

            sim.setAPIKey(nil)
            let anyKey = try await RawHTTPClient.get(port: sim.port, "/tts/k1", apiKey: nil)
            #expect(anyKey.status == 200)
            sim.setAPIKey("other")
            let newKey = try await RawHTTPClient.get(port: sim.port, "/tts/k1", apiKey: "other")
            #expect(newKey.status == 200)
        }
    }

    @Test func rejectedRequestsDoNotConsumeScriptSteps() async throws {
        try await withSimulator { sim in
            sim.script("s", [.pending, .success(runID: 7)])
            _ = try await RawHTTPClient.get(port: sim.port, "/tts/s", apiKey: "bad")
            let first = try await RawHTTPClient.get(port: sim.port, "/tts/s")
            #expect(try statusOf(first) == "PENDING")
        }
    }

    @Test func defaultSucceedsAfterNChecksWithStableRunID() async throws {
        try await withSimulator(CambSimulator(defaultBehavior: .successAfterChecks(2))) { sim in
            var statuses: [String?] = []
            var runID: Int?
            for _ in 0..<3 {
                let object = try json(try await RawHTTPClient.get(port: sim.port, "/tts/abc"))
                statuses.append(object["status"] as? String)
                runID = object["run_id"] as? Int
            }
            #expect(statuses == ["PENDING", "PENDING", "SUCCESS"])
            // FNV-1a("abc") % 1e9 + 1 — stable across processes and runs.
            #expect(runID == 385_433_932)
        }
    }

    @Test func otherDefaultBehaviors() async throws {
        try await withSimulator(CambSimulator(defaultBehavior: .alwaysPending)) { sim in
            for _ in 0..<4 {
                let status1 = try statusOf(try await RawHTTPClient.get(port: sim.port, "/transcribe/x"))
                #expect(status1 == "PENDING")
            }
            sim.setDefaultBehavior(.notFound)
            let missing = try await RawHTTPClient.get(port: sim.port, "/transcribe/x")
            #expect(missing.status == 404)
            #expect(try json(missing)["detail"] as? String == "Task not found")
            sim.setDefaultBehavior(.successAfterSeconds(0))
            let done = try json(try await RawHTTPClient.get(port: sim.port, "/transcribe/y"))
            #expect(done["status"] as? String == "SUCCESS")
            sim.setDefaultBehavior(.successAfterSeconds(3600))
            let status2 = try statusOf(try await RawHTTPClient.get(port: sim.port, "/transcribe/z"))
            #expect(status2 == "PENDING")
        }
    }

    @Test(
        arguments: [
            ("sim-error-1", "ERROR", "PROCESSING_ERROR"),
            ("sim-harmful-1", "ERROR", "HARMFUL_CONTENT_DETECTED"),
            ("sim-timeout-1", "TIMEOUT", nil),
            ("sim-payment-1", "PAYMENT_REQUIRED", nil),
        ] as [(String, String, String?)])
    func magicTerminalPrefixes(id: String, terminal: String, reason: String?) async throws {
        try await withSimulator { sim in
            let first = try json(try await RawHTTPClient.get(port: sim.port, "/tts/\(id)"))
            #expect(first["status"] as? String == "PENDING")
            let second = try json(try await RawHTTPClient.get(port: sim.port, "/tts/\(id)"))
            #expect(second["status"] as? String == terminal)
            #expect(second["exception_reason"] as? String == reason)
            if id.hasPrefix("sim-error-") { #expect(second["message"] as? String == "Simulated failure") }
            if id.hasPrefix("sim-harmful-") {
                let message = try #require(second["message"] as? [String: String])
                #expect(message["code"] == "harmful")
            }
        }
    }

    @Test func magicNonTerminalPrefixes() async throws {
        try await withSimulator { sim in
            for _ in 0..<5 {
                let response3 = try await RawHTTPClient.get(port: sim.port, "/tts/sim-404-a")
                #expect(response3.status == 404)
                let status4 = try statusOf(try await RawHTTPClient.get(port: sim.port, "/tts/sim-pending-a"))
                #expect(status4 == "PENDING")
                let status5 = try statusOf(try await RawHTTPClient.get(port: sim.port, "/dub/sim-queued-a"))
                #expect(status5 == "QUEUED")
            }
        }
    }

    @Test func rateLimitHeaders() async throws {
        try await withSimulator { sim in
            sim.script("rl", [.rateLimited(retryAfter: "7"), .rateLimitedMs(250), .serverError(503), .notFound])
            let first = try await RawHTTPClient.get(port: sim.port, "/tts/rl")
            #expect(first.status == 429)
            #expect(first.header("Retry-After") == "7")
            let second = try await RawHTTPClient.get(port: sim.port, "/tts/rl")
            #expect(second.status == 429)
            #expect(second.header("retry-after-ms") == "250")
            let response6 = try await RawHTTPClient.get(port: sim.port, "/tts/rl")
            #expect(response6.status == 503)
            let gone = try await RawHTTPClient.get(port: sim.port, "/tts/rl")
            #expect(gone.status == 404)
            #expect(gone.text == #"{"detail":"Task not found"}"#)
        }
    }

    @Test func percentEncodedIDsAreDecoded() async throws {
        try await withSimulator { sim in
            sim.script("a:b/c d", kind: "dub", [.success(runID: 9)])
            let response = try await RawHTTPClient.get(port: sim.port, "/dub/a%3Ab%2Fc%20d")
            #expect(try json(response)["run_id"] as? Int == 9)
            #expect(sim.requestCount(taskID: "a:b/c d", kind: "dub") == 1)
            let record = try #require(sim.recordedRequests().last)
            #expect(record.path == "/dub/a%3Ab%2Fc%20d")
            #expect(record.taskID == "a:b/c d")
            #expect(record.kind == "dub")
            #expect(record.apiKey == "sim-key")
            #expect(record.statusCode == 200)
        }
    }

    @Test func ttsResultServesFlacAndFileURL() async throws {
        try await withSimulator { sim in
            let audio = try await RawHTTPClient.get(port: sim.port, "/tts-result/42")
            #expect(audio.status == 200)
            #expect(audio.header("content-type") == "audio/flac")
            #expect(audio.body.starts(with: Array("fLaC".utf8)))
            #expect(audio.body.count > 1000)

            let link = try await RawHTTPClient.get(port: sim.port, "/tts-result/42?output_type=FILE_URL")
            let url = try #require(try json(link)["output_url"] as? String)
            #expect(url.hasPrefix("\(sim.baseURL)/files/42.flac?expires="), "a URL that expires: \(url)")
            #expect(try json(link)["file_url"] as? String == url)
            let file = try await RawHTTPClient.get(
                port: sim.port, String(url.dropFirst(sim.baseURL.count)), apiKey: nil)
            #expect(file.body == audio.body)
            #expect(sim.requestCount(taskID: "42", kind: "tts-result") == 2)
            #expect(sim.totalRequests() == 0)
        }
    }

    @Test func unknownPathsAre404() async throws {
        try await withSimulator { sim in
            for path in ["/", "/nope/x", "/tts", "/tts/", "/tts/a/b", "/tts-result/notanumber"] {
                let response = try await RawHTTPClient.get(port: sim.port, path)
                #expect(response.status == 404, "\(path)")
                #expect(response.text == #"{"detail":"Not Found"}"#)
            }
        }
    }

    @Test func basePathIsOptionalPrefix() async throws {
        try await withSimulator(CambSimulator(basePath: "/apis")) { sim in
            let response7 = try await RawHTTPClient.get(port: sim.port, "/apis/tts/p")
            #expect(response7.status == 200)
            let response8 = try await RawHTTPClient.get(port: sim.port, "/tts/p")
            #expect(response8.status == 200)
            #expect(sim.requestCount(taskID: "p") == 2)
        }
    }

    @Test func brokenResponses() async throws {
        try await withSimulator { sim in
            sim.script(
                "b",
                [
                    .malformedJSON, .invalidUTF8, .wrongTypes, .missingStatus,
                    .http(418, headers: [("x-y", "z")], body: "teapot"),
                ])
            let malformed = try await RawHTTPClient.get(port: sim.port, "/tts/b")
            #expect(malformed.text == #"{"status": "PEND"#)
            #expect((try? JSONSerialization.jsonObject(with: Data(malformed.body))) == nil)
            let invalid = try await RawHTTPClient.get(port: sim.port, "/tts/b")
            #expect(String(validating: invalid.body, as: UTF8.self) == nil)
            let wrong = try json(try await RawHTTPClient.get(port: sim.port, "/tts/b"))
            #expect(wrong["run_id"] as? String == "12")
            let missing = try json(try await RawHTTPClient.get(port: sim.port, "/tts/b"))
            #expect(missing["status"] == nil)
            let teapot = try await RawHTTPClient.get(port: sim.port, "/tts/b")
            #expect(teapot.status == 418)
            #expect(teapot.header("x-y") == "z")
            #expect(teapot.text == "teapot")
        }
    }

    @Test func resetMidBodyTruncates() async throws {
        try await withSimulator { sim in
            sim.script("r", [.resetMidBody])
            let bytes = try await RawHTTPClient.exchange(
                port: sim.port, request: RawHTTPClient.request("/tts/r", close: false))
            let response = try #require(RawHTTPClient.parse(bytes[...]).first)
            let declared = try #require(response.header("content-length").flatMap { Int($0) })
            #expect(response.body.count < declared)
            #expect(sim.currentInFlightRequests() == 0)
        }
    }

    @Test func hugeBodyIsStreamedExactly() async throws {
        try await withSimulator { sim in
            let size = 3 * 1024 * 1024 + 17
            sim.script("h", [.hugeBody(size)])
            let response = try await RawHTTPClient.get(port: sim.port, "/tts/h")
            #expect(response.body.count == size)
            #expect(try statusOf(response) == "PENDING")
        }
    }

    @Test func keepAliveAndPipelining() async throws {
        try await withSimulator { sim in
            sim.script("k", [.delayed(.milliseconds(30), .pending), .success(runID: 5)])
            let request = RawHTTPClient.request("/tts/k", close: false) + RawHTTPClient.request("/tts/k", close: true)
            let bytes = try await RawHTTPClient.exchange(port: sim.port, request: request)
            let responses = RawHTTPClient.parse(bytes[...])
            #expect(responses.count == 2)
            #expect(try responses.map(statusOf) == ["PENDING", "SUCCESS"])
        }
    }

    @Test func hangingRequestsCountAsConcurrentAndShutdownClosesThem() async throws {
        let sim = CambSimulator()
        try await sim.start()
        sim.script("hang", [.hang])
        let port = sim.port
        let clients = (0..<3).map { _ in
            Task {
                try await RawHTTPClient.exchange(port: port, request: RawHTTPClient.request("/tts/hang", close: true))
            }
        }
        #expect(await sim.waitForRequests(taskID: "hang", count: 3, timeout: .seconds(10)))
        #expect(sim.currentInFlightRequests() == 3)
        #expect(sim.maxConcurrentRequests() == 3)
        #expect(sim.recordedRequests().allSatisfy { $0.statusCode == 0 })
        try await sim.shutdown()
        for client in clients {
            let received = try await client.value
            #expect(received.isEmpty)
        }
        #expect(sim.currentInFlightRequests() == 0)
    }

    @Test func waitForRequestsTimesOut() async throws {
        try await withSimulator { sim in
            #expect(await sim.waitForRequests(taskID: "never", count: 1, timeout: .milliseconds(20)) == false)
        }
    }

    @Test func resetCountersAndRecording() async throws {
        try await withSimulator { sim in
            _ = try await RawHTTPClient.get(port: sim.port, "/tts/one")
            _ = try await RawHTTPClient.get(port: sim.port, "/story/two")
            let records = sim.recordedRequests()
            #expect(records.map(\.taskID) == ["one", "two"])
            #expect(records.map(\.kind) == ["tts", "story"])
            #expect(records[0].at <= records[1].at)
            sim.resetCounters()
            #expect(sim.totalRequests() == 0)
            #expect(sim.recordedRequests().isEmpty)
            #expect(sim.requestCount(taskID: "one") == 0)
        }
        try await withSimulator(CambSimulator(recordRequests: false)) { sim in
            _ = try await RawHTTPClient.get(port: sim.port, "/tts/one")
            #expect(sim.recordedRequests().isEmpty)
            #expect(sim.requestCount(taskID: "one") == 1)
        }
    }

    @Test func startTwiceThrows() async throws {
        try await withSimulator { sim in
            #expect(sim.port > 0)
            #expect(sim.baseURL == "http://127.0.0.1:\(sim.port)")
            await #expect(throws: CambSimulatorError.alreadyStarted) { try await sim.start() }
        }
    }

    @Test func everyResultEndpointAnswersLikeTheAPI() async throws {
        try await withSimulator { sim in
            let sound = try await RawHTTPClient.get(port: sim.port, "/text-to-sound-result/7")
            #expect(sound.header("content-type") == "audio/wav" && sound.body.starts(with: Array("RIFF".utf8)))
            let dub = try json(try await RawHTTPClient.get(port: sim.port, "/dub-result/7"))
            let audioURL = try #require(dub["audio_url"] as? String)
            #expect(audioURL.hasPrefix("\(sim.baseURL)/files/7.flac?expires=") && dub["video_url"] is String)
            #expect(dub["transcript"] is [Any])
            let separated = try json(try await RawHTTPClient.get(port: sim.port, "/audio-separation-result/7"))
            #expect(separated["foreground_audio_url"] is String && separated["background_audio_url"] is String)
            for endpoint in ["translation-result", "story-result", "text-to-voice-result", "project-setup-result"] {
                let answer = try await RawHTTPClient.get(port: sim.port, "/\(endpoint)/7")
                #expect(answer.status == 200 && answer.header("content-type") == "application/json", "\(endpoint)")
            }
            let transcript = try await RawHTTPClient.get(port: sim.port, "/transcription-result/7")
            #expect((try JSONSerialization.jsonObject(with: Data(transcript.body))) is [Any])
            let media = try await RawHTTPClient.get(port: sim.port, String(audioURL.dropFirst(sim.baseURL.count)))
            #expect(media.status == 200 && media.body.starts(with: Array("fLaC".utf8)))
        }
    }

    @Test func fileURLsExpireAndDownloadsCanBeCutOrScripted() async throws {
        try await withSimulator { sim in
            sim.setFileURLLifetime(-1)
            let link = try json(try await RawHTTPClient.get(port: sim.port, "/tts-result/5?output_type=FILE_URL"))
            let url = try #require(link["output_url"] as? String)
            let expired = try await RawHTTPClient.get(port: sim.port, String(url.dropFirst(sim.baseURL.count)))
            #expect(expired.status == 403, "past its expiry")
            sim.setAudioSize(100_000)
            #expect(try await RawHTTPClient.get(port: sim.port, "/tts-result/5").body.count == 100_000)
            sim.scriptResult(runID: 5, [.http(500)])
            #expect(try await RawHTTPClient.get(port: sim.port, "/tts-result/5").status == 500)
        }
    }
}
