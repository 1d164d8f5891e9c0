import Foundation

/// One figure of the results: a measured value, optionally a reference measured in the same
/// run (the ratio is value / reference), and the target it is judged against.
struct BenchRow {
    enum Target {
        /// value ≥ factor × reference.
        case atLeastTimesReference(Double, referenceName: String)
        /// value ≤ factor × reference.
        case atMostTimesReference(Double, referenceName: String)
        case atMost(Double)
        case below(Double)
        /// Information only.
        case none

        var text: String {
            switch self {
            case .atLeastTimesReference(let factor, let name): "≥ \(String(format: "%g", factor))× \(name)"
            case .atMostTimesReference(let factor, let name): "≤ \(String(format: "%g", factor))× \(name)"
            case .atMost(let limit): "≤ \(String(format: "%g", limit))"
            case .below(let limit): "< \(String(format: "%g", limit))"
            case .none: "—"
            }
        }
    }

    var figure: String
    var value: Double?
    var reference: Double? = nil
    /// Said instead of the reference when there is none (e.g. "n/a: wrk missing").
    var referenceNote: String? = nil
    var target: Target = .none
    var decimals: Int? = nil

    var ratio: Double? {
        guard let value, let reference, reference > 0 else { return nil }
        return value / reference
    }

    /// Whether the target is met; nil when there is nothing to judge.
    var met: Bool? {
        guard let value else { return nil }
        switch target {
        case .atLeastTimesReference(let factor, _): return ratio.map { $0 >= factor }
        case .atMostTimesReference(let factor, _): return ratio.map { $0 <= factor }
        case .atMost(let limit): return value <= limit
        case .below(let limit): return value < limit
        case .none: return nil
        }
    }
}

/// The one results table, as Markdown (pastes into the README or closing notes).
struct BenchTable {
    var rows: [BenchRow] = []

    mutating func append(contentsOf more: [BenchRow]) { rows.append(contentsOf: more) }

    var markdown: String {
        let header = ["figure", "value", "reference", "ratio", "target"]
        let cells: [[String]] = rows.map { row in
            let value = row.value.map { Self.format($0, decimals: row.decimals) } ?? "n/a"
            let reference = row.reference.map { Self.format($0, decimals: row.decimals) } ?? row.referenceNote ?? "—"
            let ratio = row.ratio.map { String(format: "%.2f", $0) } ?? "—"
            var target = row.target.text
            switch row.met {
            case true?: target += " ✅"
            case false?: target += " ❌"
            case nil: break
            }
            return [row.figure, value, reference, ratio, target]
        }
        let widths = header.indices.map { column in
            ([header] + cells).map { $0[column].count }.max() ?? 0
        }
        func line(_ fields: [String]) -> String {
            "| "
                + zip(fields, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: " | ")
                + " |"
        }
        let rule = "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"
        return ([line(header), rule] + cells.map(line)).joined(separator: "\n") + "\n"
    }

    /// A number with sensible precision: integers grouped by thousands, small values with
    /// more decimals.
    static func format(_ value: Double, decimals: Int? = nil) -> String {
        let places = decimals ?? (abs(value) >= 1000 ? 0 : abs(value) >= 100 ? 1 : abs(value) >= 1 ? 2 : 3)
        if places == 0 {
            let rounded = Int(value.rounded())
            let digits = String(abs(rounded))
            var grouped = ""
            for (index, character) in digits.enumerated() {
                if index > 0 && (digits.count - index) % 3 == 0 { grouped += "," }
                grouped.append(character)
            }
            return (rounded < 0 ? "-" : "") + grouped
        }
        return String(format: "%.\(places)f", value)
    }
}
