import Foundation
import TTSTrackClient
import TTSTrackTestSupport
import Testing

/// A read, then a watch from where the read stood: a change made between the two is replayed,
/// not missed (the live progress line of `wait` and `fetch` relies on it).
@Suite(.timeLimit(.minutes(1))) struct TrackerClientSnapshotTests {
    @Test func aChangeBetweenTheReadAndTheWatchIsReplayed() async throws {
        try await DaemonFixture.with(defaultBehavior: .alwaysPending) { fixture in
            let client = try await fixture.client()
            _ = try await client.add(["kept", "dropped"], tag: "pair")
            let snapshot = try await client.snapshot(of: ["kept", "dropped"])
            #expect(snapshot.tasks.map(\.status) == ["PENDING", "PENDING"])
            let page = try await client.list(tag: "pair")
            let seq = try #require(snapshot.seq)
            #expect(page.seq == seq, "nothing changed between the two reads")

            // Between the read and the watch: a change the read does not show.
            #expect(try await client.remove(["dropped"]) == 1)
            let events = try await client.watch(ids: ["kept", "dropped"], since: seq)
            var replayed: TrackerEvent?
            for try await event in events {
                replayed = event
                break
            }
            #expect(replayed?.task.taskID == "dropped" && replayed?.task.isUntracked == true)
            #expect(replayed.map { $0.seq > seq } == true)
            #expect(try await client.snapshot(of: ["kept"]).seq == replayed?.seq, "the newest change is that one")
        }
    }
}
