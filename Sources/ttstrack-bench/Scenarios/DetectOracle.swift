import CambSimulator
import TTSTrack

/// The limit the `detect` scenario judges the daemon against: the best schedule for a kind
/// whose duration law is known exactly (but not each task's own duration), at a given number
/// of checks per task. For each price of a check the optimal schedule is a ``CheckPlan``
/// without gap bounds; sweeping the price gives (calls, delay) points, and mixing two
/// schedules (a share of the tasks on each) reaches every point on the segment between them,
/// so the limit at `calls` is the lower convex hull of those points there.
struct DetectOracle {
    /// (calls per task, mean delay) of each price's schedule, measured on the durations.
    private(set) var points: [(calls: Double, delay: Double)] = []

    init(law: TaskDurations.Law, durations: [Double]) {
        let top = law.quantile(0.99999)
        let cells = 2000
        let edges = (0...cells).map { top * Double($0) / Double(cells) }
        let masses = (0..<cells).map { law.cdf(edges[$0 + 1]) - law.cdf(edges[$0]) }
        let exact = DurationLaw(edges: edges, masses: masses)
        var worth = 0.02
        while worth <= 200 {
            let plan = CheckPlan(
                law: exact, worth: worth, firstAtLeast: 0, minGap: 0, maxGap: .infinity, points: 1200)
            points.append(Self.evaluate(ages: plan.ages(until: top * 2), on: durations))
            worth *= 1.25
        }
    }

    /// Calls per task and mean delay of checking at `ages` (seconds from the start), on `durations`.
    static func evaluate(ages: [Double], on durations: [Double]) -> (calls: Double, delay: Double) {
        guard !durations.isEmpty, let last = ages.last else { return (0, 0) }
        let gap = ages.count > 1 ? max(last - ages[ages.count - 2], 0.01) : max(last, 0.01)
        var calls = 0.0
        var delay = 0.0
        for duration in durations {
            if let index = ages.firstIndex(where: { $0 >= duration }) {
                calls += Double(index + 1)
                delay += ages[index] - duration
            } else {
                let more = ((duration - last) / gap).rounded(.up)
                calls += Double(ages.count) + more
                delay += last + more * gap - duration
            }
        }
        return (calls / Double(durations.count), delay / Double(durations.count))
    }

    /// The least mean delay at `calls` checks per task.
    func delay(atCalls calls: Double) -> Double? {
        let sorted = points.sorted { $0.calls < $1.calls }
        var hull: [(calls: Double, delay: Double)] = []
        for point in sorted {
            if let last = hull.last, abs(last.calls - point.calls) < 1e-9 {
                if point.delay < last.delay { hull[hull.count - 1] = point }
                continue
            }
            while hull.count >= 2 {
                let a = hull[hull.count - 2]
                let b = hull[hull.count - 1]
                let cross =
                    (b.calls - a.calls) * (point.delay - a.delay) - (b.delay - a.delay) * (point.calls - a.calls)
                if cross <= 0 { hull.removeLast() } else { break }
            }
            hull.append(point)
        }
        guard let first = hull.first, let last = hull.last else { return nil }
        if calls <= first.calls { return first.delay }
        if calls >= last.calls { return last.delay }
        for index in 1..<hull.count where hull[index].calls >= calls {
            let a = hull[index - 1]
            let b = hull[index]
            return a.delay + (b.delay - a.delay) * (calls - a.calls) / (b.calls - a.calls)
        }
        return last.delay
    }
}
