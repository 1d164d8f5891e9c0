import TTSTrackClient

/// The live line of `wait` and `fetch` while they wait: a watch of the same tasks (the ids, the
/// tag) feeds a ``WaitProgress`` drawn by a ``ProgressLine`` on standard error. Only when
/// standard error is a terminal and the output is not JSON; a script sees nothing of it.
///
/// The tasks are read first, then the watch is opened from where the daemon's change log stood
/// at that read (`since`), so a change made in between is replayed rather than missed.
/// The line is a display only: the command's verdict and table come from the `Wait` reply, and
/// a failure of the watch or the read just leaves the line out.
struct LiveProgress {
    private let line: ProgressLine
    private let reader: Task<Void, Never>

    /// Starts the line for the tasks of `ids` and, with `tag`, those that carry it; nil when
    /// no line is wanted or it could not be set up.
    static func start(
        _ connection: TrackerConnection, ids: [String], tag: String? = nil, json: Bool
    ) async -> LiveProgress? {
        guard !json, ProgressLine.standardErrorIsTerminal, !ids.isEmpty || tag != nil else { return nil }
        let client = connection.client
        let events: TrackerEvents
        var tasks: [TrackerTask]
        do {
            var since: Int64?
            (tasks, since) = try await read(client, ids: ids, tag: tag)
            if let since {
                events = try await client.watch(ids: ids, tag: tag, since: since)
            } else {
                // A daemon that does not say which change its reads are as of: watch first,
                // then read again, as close to it as can be.
                events = try await client.watch(ids: ids, tag: tag)
                (tasks, since) = try await read(client, ids: ids, tag: tag)
            }
        } catch {
            return nil
        }
        let line = ProgressLine()
        let reader = Task { [tasks] in
            var progress = WaitProgress(tasks)
            line.show(progress.text)
            do {
                for try await event in events where progress.apply(event.task) {
                    line.show(progress.text)
                }
            } catch {
                // The daemon went away: the wait itself reports that.
            }
        }
        return LiveProgress(line: line, reader: reader)
    }

    /// The tasks of `ids` and of `tag`, and the oldest of the reads' seqs: replaying from there
    /// may repeat a change a later read already shows, which applies the same state again.
    private static func read(
        _ client: TrackerClient, ids: [String], tag: String?
    ) async throws -> ([TrackerTask], Int64?) {
        var tasks: [TrackerTask] = []
        var seqs: [Int64?] = []
        if !ids.isEmpty {
            let snapshot = try await client.snapshot(of: ids)
            tasks = snapshot.tasks
            seqs.append(snapshot.seq)
        }
        if let tag {
            var seen = Set(ids)
            var after: String?
            repeat {
                let page = try await client.list(tag: tag, after: after)
                tasks += page.tasks.filter { seen.insert($0.taskID).inserted }
                seqs.append(page.seq)
                after = page.tasks.isEmpty ? nil : page.next
            } while after != nil
        }
        // Nil when any read did not say (an older daemon): then no seq is safe to watch from.
        return (tasks, seqs.contains(nil) ? nil : seqs.compactMap { $0 }.min())
    }

    /// Clears the line before the command prints its result (or its error).
    func finish() {
        line.end()
        reader.cancel()
    }
}
