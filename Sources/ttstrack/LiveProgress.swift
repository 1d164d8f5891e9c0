import TTSTrackClient

/// The live line of `wait` and `fetch` while they wait: a watch of the same tasks (the ids, the
/// tag) feeds a ``WaitProgress`` drawn by a ``ProgressLine`` on standard error. Only when
/// standard error is a terminal and the output is not JSON; a script sees nothing of it.
///
/// The watch is opened before the tasks are read, so a change after the read arrives as an
/// event (the daemon subscribes a watch when it reads the call, on the watch's own connection:
/// a change in the moment before that can be missed, and the line then lags for that task).
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
            events = try await client.watch(ids: ids, tag: tag)
            tasks = ids.isEmpty ? [] : try await client.get(ids)
            if let tag {
                var seen = Set(ids)
                var after: String?
                repeat {
                    let page = try await client.list(tag: tag, after: after)
                    tasks += page.tasks.filter { seen.insert($0.taskID).inserted }
                    after = page.tasks.isEmpty ? nil : page.next
                } while after != nil
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

    /// Clears the line before the command prints its result (or its error).
    func finish() {
        line.end()
        reader.cancel()
    }
}
