import TTSTrackWire

extension TaskStore {
    /// Finishes kept per kind: what the adaptive schedule learns from.
    static let durationWindow = DurationLearner.window

    /// Keeps `finishes` (inside the caller's transaction), then trims each kind they name to
    /// its newest ``durationWindow``.
    func recordFinishes(_ finishes: [DurationObservation]) throws {
        guard !finishes.isEmpty else { return }
        try db.withStatement(
            "INSERT INTO durations (kind, lower_ms, upper_ms, at) VALUES (:kind, :lower, :upper, :at)"
        ) { insert in
            for finish in finishes {
                insert.reset()
                try insert.bind([
                    ":kind": .text(finish.kind), ":lower": .integer(Int64((finish.lower * 1000).rounded())),
                    ":upper": .integer(Int64((finish.upper * 1000).rounded())), ":at": .integer(finish.at.rawValue),
                ])
                try insert.run()
            }
        }
        try db.withStatement(
            """
            DELETE FROM durations WHERE kind = :kind AND id <= (
                SELECT id FROM durations WHERE kind = :kind ORDER BY id DESC LIMIT 1 OFFSET :keep)
            """
        ) { trim in
            for kind in Set(finishes.map(\.kind)) {
                trim.reset()
                try trim.bind([":kind": .text(kind), ":keep": .integer(Int64(Self.durationWindow))])
                try trim.run()
            }
        }
    }

    /// The finishes kept, oldest first: the adaptive schedule starts from them.
    public func finishes() throws -> [DurationObservation] {
        try db.withStatement("SELECT kind, lower_ms, upper_ms, at FROM durations ORDER BY id") { select in
            var finishes: [DurationObservation] = []
            while try select.step() {
                finishes.append(
                    DurationObservation(
                        kind: select.string(0), lower: Double(select.int64(1)) / 1000,
                        upper: Double(select.int64(2)) / 1000, at: Timestamp(milliseconds: select.int64(3))))
            }
            return finishes
        }
    }
}
