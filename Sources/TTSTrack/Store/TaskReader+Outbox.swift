extension TaskReader {
    /// `Stats.deliveries`: per target, deliveries not yet made (`pending`, including those held
    /// until a result settles) and given up (`failed`); every key is present, zero when none.
    public func countsByDelivery() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for target in DeliveryTarget.allCases {
            counts["\(target.rawValue).pending"] = 0
            counts["\(target.rawValue).failed"] = 0
        }
        try db.withStatement("SELECT target, state, count(*) FROM deliveries GROUP BY target, state") { select in
            while try select.step() {
                let state = select.string(1) == "failed" ? "failed" : "pending"
                counts["\(select.string(0)).\(state)", default: 0] += select.int(2)
            }
        }
        return counts
    }
}
