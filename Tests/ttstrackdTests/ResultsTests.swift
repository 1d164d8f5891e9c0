import CambSimulator
import Foundation
import TTSTrackTestSupport
import TTSTrackWire
import Testing

/// Results on disk, against the simulator: what lands where, what fails, what survives a crash.
@Suite(.timeLimit(.minutes(2))) struct ResultsTests {
    /// The fixture's environment with results fetched into `<directory>/results`.
    static func resultsEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ["TTSTRACK_RESULTS_MAX_ATTEMPTS": "3"]
        environment.merge(extra) { _, new in new }
        return environment
    }

    static func resultsDirectory(_ test: DaemonFixture) -> String { "\(test.directory)/results" }

    /// Starts a fixture whose daemon fetches results into its directory's `results/`.
    static func with(
        _ extra: [String: String] = [:], _ body: (DaemonFixture, String) async throws -> Void
    ) async throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let results = "\(directory)/results"
        try await DaemonFixture.with(
            environment: resultsEnvironment(["TTSTRACK_RESULTS_DIR": results].merging(extra) { _, new in new }),
            directory: directory
        ) { test in
            try await body(test, results)
        }
    }

    func tasks(_ test: DaemonFixture, _ names: [String]) async throws -> [String: [String: JSONValue]] {
        let reply = try await test.call("io.ttstrack.Tracker.Get", ["ids": ids(names)])
        var tasks: [String: [String: JSONValue]] = [:]
        for task in reply["tasks"]?.array ?? [] {
            guard case .object(let fields) = task, let id = fields["task_id"]?.stringValue else { continue }
            tasks[id] = fields
        }
        return tasks
    }

    func wait(_ test: DaemonFixture, _ names: [String], timeout: Double = 60) async throws -> Bool {
        try await test.call("io.ttstrack.Tracker.Wait", ["ids": ids(names), "timeout": .double(timeout)])["done"]?
            .bool == true
    }

    func partialFiles(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".partial") }
    }

    @Test func eachKindsResultLandsUnderItsNameWithItsExtension() async throws {
        try await Self.with { test, results in
            let kinds = [
                ("tts", "speech", "flac"), ("text-to-sound", "sound", "wav"), ("dub", "dubbed", "json"),
                ("transcribe", "words", "json"), ("translate", "translated", "json"), ("story", "told", "json"),
                ("audio-separation", "split", "json"), ("text-to-voice", "voiced", "json"),
                ("project-setup", "project", "json"),
            ]
            for (kind, id, _) in kinds {
                _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids([id]), "kind": .string(kind)])
            }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["sub-only"]), "kind": "sub"])
            let names = kinds.map(\.1) + ["sub-only"]
            #expect(try await wait(test, names), "Wait returns once every result has settled")
            let found = try await tasks(test, names)
            for (_, id, ext) in kinds {
                let task = try #require(found[id])
                #expect(task["result_state"]?.stringValue == "done", "\(id): \(task["result_error"] ?? .null)")
                let path = "\(results)/\(id).\(ext)"
                #expect(task["result_path"]?.stringValue == path)
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(Int64(data.count) == task["result_bytes"]?.int)
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                #expect((attributes[.posixPermissions] as? Int) == 0o640, "\(path) is 0640")
                switch ext {
                case "flac": #expect(data.starts(with: Array("fLaC".utf8)))
                case "wav": #expect(data.starts(with: Array("RIFF".utf8)))
                default: #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "\(path) is JSON")
                }
            }
            #expect(found["sub-only"]?["result_state"] == .null, "sub has no result endpoint: status only")
            let directoryMode = try FileManager.default.attributesOfItem(atPath: results)[.posixPermissions] as? Int
            #expect(directoryMode == 0o750)
            #expect(partialFiles(in: results).isEmpty)
            let stats = try await test.call("io.ttstrack.Tracker.Stats")
            #expect(stats["results"]?["done"]?.int == Int64(kinds.count))
        }
    }

    @Test func mediaURLsOfJSONResultsAreFetchedBesideThem() async throws {
        try await Self.with(["TTSTRACK_RESULTS_MEDIA": "true"]) { test, results in
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["dubbed"]), "kind": "dub"])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["tracks"]), "kind": "audio-separation"])
            #expect(try await wait(test, ["dubbed", "tracks"]))
            let found = try await tasks(test, ["dubbed", "tracks"])
            #expect(found.values.allSatisfy { $0["result_state"]?.stringValue == "done" }, "\(found)")
            let dubbed = try FileManager.default.contentsOfDirectory(atPath: "\(results)/dubbed").sorted()
            #expect(dubbed == ["audio.flac", "video.mp4"])
            let audio = try Data(contentsOf: URL(fileURLWithPath: "\(results)/dubbed/audio.flac"))
            #expect(audio.starts(with: Array("fLaC".utf8)) && audio.count == SimAudio.defaultSize)
            let tracks = try FileManager.default.contentsOfDirectory(atPath: "\(results)/tracks").sorted()
            #expect(tracks == ["background_audio.wav", "foreground_audio.flac"])
            #expect(FileManager.default.fileExists(atPath: "\(results)/dubbed.json"))
            let media = test.simulator.recordedRequests().filter { $0.kind == "files" }
            #expect(media.count == 4 && media.allSatisfy { $0.apiKey == nil }, "links are fetched without the key")
        }
    }

    @Test func anExpiredMediaLinkFailsTheAttemptAndTheRetryFetchesFreshLinks() async throws {
        try await Self.with(["TTSTRACK_RESULTS_MEDIA": "true"]) { test, results in
            test.simulator.setFileURLLifetime(-1)
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["late"]), "kind": "dub"])
            try await eventually("the first attempt failed on the expired link") {
                try await tasks(test, ["late"])["late"]?["result_error"]?.stringValue?.contains("expired") == true
            }
            test.simulator.setFileURLLifetime(300)
            #expect(try await wait(test, ["late"]))
            #expect(try await tasks(test, ["late"])["late"]?["result_state"]?.stringValue == "done")
            #expect(FileManager.default.fileExists(atPath: "\(results)/late/video.mp4"))
            #expect(
                test.simulator.requestCount(
                    taskID: String(try await tasks(test, ["late"])["late"]?["run_id"]?.int ?? 0), kind: "dub-result")
                    == 2)
        }
    }

    @Test func waitReturnsOnlyOnceTheFileExists() async throws {
        try await Self.with { test, results in
            test.simulator.script("slow-result", [.pending, .success(runID: 555)])
            // The status turns SUCCESS quickly; the download then takes 0.8 s.
            test.simulator.scriptResult(
                runID: 555,
                [
                    .delayed(
                        .milliseconds(800), .http(200, headers: [("content-type", "audio/flac")], body: "fLaC-audio"))
                ])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["slow-result"])])
            #expect(try await wait(test, ["slow-result"]))
            #expect(FileManager.default.fileExists(atPath: "\(results)/slow-result.flac"))
        }
    }

    @Test func emptyOversizedAndJSONInsteadOfAudioAreFailuresNotFiles() async throws {
        try await Self.with(["TTSTRACK_RESULTS_MAX_BYTES": "10000", "TTSTRACK_RESULTS_MAX_ATTEMPTS": "2"]) {
            test, results in
            let cases: [(String, SimResponse, String)] = [
                ("empty", .http(200, headers: [("content-type", "audio/flac")], body: ""), "empty result"),
                (
                    "oversized",
                    .http(200, headers: [("content-type", "audio/flac")], body: String(repeating: "a", count: 20_000)),
                    "larger than results.max_bytes (10000 bytes)"
                ),
                (
                    "not-audio", .http(200, body: #"{"message":"quota exceeded"}"#),
                    "JSON where audio was expected: quota exceeded"
                ),
            ]
            func runID(_ id: String) -> Int { 1000 + cases.firstIndex { $0.0 == id }! }
            for (id, response, _) in cases {
                // Status answers are scripted too, so the run id is known before the download.
                test.simulator.script(id, [.success(runID: runID(id))])
                test.simulator.scriptResult(runID: runID(id), [response])
            }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(cases.map(\.0))])
            #expect(try await wait(test, cases.map(\.0)))
            let found = try await tasks(test, cases.map(\.0))
            for (id, _, words) in cases {
                #expect(found[id]?["result_state"]?.stringValue == "failed", "\(id)")
                #expect(
                    found[id]?["result_error"]?.stringValue?.contains(words) == true,
                    "\(id): \(found[id]?["result_error"] ?? .null)")
                #expect(found[id]?["result_path"] == .null)
                #expect(
                    test.simulator.requestCount(taskID: String(runID(id)), kind: "tts-result") == 2, "2 attempts")
            }
            let files = (try? FileManager.default.contentsOfDirectory(atPath: results)) ?? []
            #expect(files.isEmpty, "no file, not even a temporary one: \(files)")
            let stats = try await test.call("io.ttstrack.Tracker.Stats")
            #expect(stats["results"]?["failed"]?.int == 3)
        }
    }

    @Test func aDownloadKilledMidwayIsCompleteAfterRestartWithNoTemporaryFileLeft() async throws {
        try await Self.with { test, results in
            test.simulator.script("cut", [.success(runID: 777)])
            test.simulator.scriptResult(
                runID: 777, [.stallMidBody(contentType: "audio/flac", declared: 4096, sent: 1000)])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["cut"])])
            try await eventually("a download is under way") { !partialFiles(in: results).isEmpty }
            _ = await test.daemon.stop(signal: SIGKILL)
            #expect(!FileManager.default.fileExists(atPath: "\(results)/cut.flac"), "never half-written under its name")
            test.simulator.scriptResult(runID: 777, [])
            try await test.restart()
            #expect(try await wait(test, ["cut"]))
            let task = try #require(try await tasks(test, ["cut"])["cut"])
            #expect(task["result_state"]?.stringValue == "done")
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(results)/cut.flac"))
            #expect(data.count == SimAudio.defaultSize && data.starts(with: Array("fLaC".utf8)))
            #expect(partialFiles(in: results).isEmpty, "the cut attempt's temporary file is gone")
            // Done is done: a restart does not fetch it again.
            let fetched = test.simulator.requestCount(taskID: "777", kind: "tts-result")
            try await test.restart()
            _ = try await wait(test, ["cut"])
            #expect(test.simulator.requestCount(taskID: "777", kind: "tts-result") == fetched)
        }
    }

    @Test func aRateLimitDuringDownloadsPausesThem() async throws {
        try await Self.with { test, results in
            test.simulator.script("limited", [.success(runID: 4242)])
            test.simulator.scriptResult(
                runID: 4242,
                [.rateLimited(retryAfter: "1"), .http(200, headers: [("content-type", "audio/mpeg")], body: "ID3-mp3")])
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(["limited"])])
            try await eventually("the API is rate limited") {
                try await test.call("io.ttstrack.Tracker.Stats")["api_state"]?.stringValue == "rate_limited"
            }
            #expect(try await wait(test, ["limited"]))
            #expect(FileManager.default.fileExists(atPath: "\(results)/limited.mp3"), "audio/mpeg is .mp3")
            let attempts = test.simulator.recordedRequests().filter { $0.kind == "tts-result" }
            #expect(attempts.count == 2)
            if attempts.count == 2 {
                #expect(attempts[1].at - attempts[0].at >= .milliseconds(950), "paused for Retry-After")
            }
        }
    }

    @Test func theRateLimitHoldsWithChecksAndDownloadsTogether() async throws {
        try await Self.with(["TTSTRACK_POLL_RATE": "20", "TTSTRACK_POLL_BURST": "2"]) { test, _ in
            let names = (0..<20).map { "mixed-\($0)" }
            _ = try await test.call("io.ttstrack.Tracker.Add", ["ids": ids(names)])
            #expect(try await wait(test, names))
            let requests = test.simulator.recordedRequests()
            #expect(requests.contains { $0.kind == "tts-result" } && requests.contains { $0.kind == "tts" })
            let span = (requests.last!.at - requests[2].at).seconds
            let rate = Double(requests.count - 3) / span
            #expect(rate <= 20 * 1.25, "\(requests.count) requests, checks and downloads: \(rate)/s")
        }
    }
}
