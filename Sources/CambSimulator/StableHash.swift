/// Deterministic hashing for simulated run ids. Swift's `hashValue` is randomly seeded per
/// process, so it cannot be used where a test in another process must predict the value.
enum StableHash {
    /// 64-bit FNV-1a over the UTF-8 bytes of `string`.
    static func fnv1a(_ string: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in string.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The run id reported for a successful task: in `1...1_000_000_000`, stable per task id.
    static func runID(forTaskID taskID: String) -> Int {
        Int(fnv1a(taskID) % 1_000_000_000) + 1
    }
}
