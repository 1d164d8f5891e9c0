import Foundation
import TTSTrackClient
import TTSTrackTestSupport
import Testing

/// Tags through the library: a program adds a batch under one tag and lists, waits for and
/// watches it by that tag alone.
@Suite(.timeLimit(.minutes(1))) struct TrackerClientTagTests {
    @Test func addListAndWaitByTag() async throws {
        try await DaemonFixture.with(defaultBehavior: .successAfterChecks(1)) { fixture in
            let client = try await fixture.client()
            let segments = (0..<12).map { String(format: "seg-%02d", $0) }
            let added = try await client.add(segments, tag: "speech-7")
            #expect(added.added == 12 && added.existing == 0)
            let again = try await client.add(["seg-00", "lone"], kind: "tts", tag: "speech-8")
            #expect(again.added == 1 && again.existing == 1)

            let page = try await client.list(tag: "speech-7", limit: 5)
            #expect(page.tasks.map(\.taskID) == Array(segments.prefix(5)) && page.next == "seg-04")
            #expect(page.tasks.allSatisfy { $0.tag == "speech-7" })

            let waited = try await client.wait(tag: "speech-7", timeout: .seconds(20))
            #expect(waited.done)
            #expect(waited.tasks.map(\.taskID) == segments)
            #expect(waited.tasks.allSatisfy { $0.status == "SUCCESS" && $0.tag == "speech-7" })

            let both = try await client.wait(ids: ["lone"], tag: "speech-7", timeout: .seconds(20))
            #expect(both.tasks.map(\.taskID) == ["lone"] + segments)
            #expect(both.tasks.first?.tag == "speech-8", "an id already tracked kept its first tag")

            // The existing call sites still compile and mean what they did.
            let byIDs = try await client.wait(ids: ["lone"], timeout: .seconds(20))
            #expect(byIDs.tasks.map(\.taskID) == ["lone"])
        }
    }

    @Test func watchByTagAndTheRefusalOfABadTag() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { fixture in
            fixture.simulator.script("tagged", [.pending, .success(runID: 8)])
            fixture.simulator.script("untagged", [.success(runID: 9)])
            let client = try await fixture.client()
            let events = try await client.watch(tag: "watch-me")
            _ = try await client.add(["untagged"])
            _ = try await client.add(["tagged"], tag: "watch-me")
            var seen: [TrackerEvent] = []
            for try await event in events {
                seen.append(event)
                if event.task.status == "SUCCESS" { break }
            }
            #expect(seen.map(\.task.taskID) == ["tagged"] && seen.first?.task.tag == "watch-me")

            await #expect(
                throws: TrackerClientError.refused(
                    name: "org.varlink.service.InvalidParameter", parameters: ["parameter": #""tag""#])
            ) {
                _ = try await client.add(["not-added"], tag: "no spaces")
            }
            #expect(try await client.get(["not-added"]).first?.isUntracked == true)
        }
    }
}
