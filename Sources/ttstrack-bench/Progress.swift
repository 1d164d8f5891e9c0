import Foundation

/// Progress lines on standard error, so that standard output holds only the results.
enum Progress {
    private static let start = ContinuousClock.now

    static func log(_ line: String) {
        let seconds = (ContinuousClock.now - start).seconds
        FileHandle.standardError.write(Data("[\(String(format: "%7.1f", seconds)) s] \(line)\n".utf8))
    }
}
