import Foundation
import TTSTrackTestSupport

/// What every scenario gets: the sizes asked for and a place for temporary files.
struct BenchContext {
    /// Tasks tracked while polling (`--tasks`).
    var tasks: Int
    /// Length of each measurement window in seconds (`--seconds`).
    var seconds: Int
    /// Ids added in the `add` scenario (`--add-ids`).
    var addIDs: Int
    /// `--quick`: scenarios with a fixed size use a smaller one.
    var quick = false

    var window: Duration { .seconds(seconds) }

    /// A fresh temporary directory, removed when the benchmark ends however it ends.
    func makeDirectory(_ name: String) -> String {
        let directory = DaemonProcess.makeTemporaryDirectory(prefix: "ttstrack-bench-\(name)")
        Cleanup.shared.register(directory: directory)
        return directory
    }

    /// Creates `path` (a directory inside one from ``makeDirectory(_:)``), with its parents.
    static func createDirectory(_ path: String) throws(BenchError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw BenchError("cannot create \(path): \(error.localizedDescription)")
        }
    }

    /// `count` fresh random version-4 UUIDs in lowercase: valid, distinct task ids the
    /// simulator keeps PENDING. Formatted by hand: Foundation's `uuidString` takes seconds
    /// for a million.
    static func taskIDs(_ count: Int) -> [String] {
        var generator = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        return (0..<count).map { _ in
            var bytes = (generator.next() as UInt64, generator.next() as UInt64)
            bytes.0 = (bytes.0 & ~0xF000) | 0x4000  // version 4 (bits 48-51 of the UUID)
            bytes.1 = (bytes.1 & ~(0xC << 60)) | (0x8 << 60)  // variant 10xx
            return String(unsafeUninitializedCapacity: 36) { buffer in
                var index = 0
                for (word, dashes) in [(bytes.0, [8, 12]), (bytes.1, [0, 4])] {
                    for nibble in 0..<16 {
                        if dashes.contains(nibble) {
                            buffer[index] = UInt8(ascii: "-")
                            index += 1
                        }
                        buffer[index] = hex[Int((word >> UInt64(60 - 4 * nibble)) & 0xF)]
                        index += 1
                    }
                }
                return index
            }
        }
    }

    /// Blocks the calling thread for `duration`.
    static func sleep(_ duration: Duration) {
        Thread.sleep(forTimeInterval: max(0, duration.seconds))
    }
}
