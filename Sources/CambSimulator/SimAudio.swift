import NIOCore

/// Fake audio served by `tts-result`: starts with the FLAC magic `fLaC` so clients that
/// sniff the format accept it, followed by a readable run-id marker and deterministic
/// pseudo-random filler. It is not a decodable FLAC stream.
enum SimAudio {
    /// Total size of every fake file.
    static let size = 4096

    /// The bytes for `runID` (deterministic, so tests can compare downloads).
    static func bytes(runID: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(size)
        buffer.writeStaticString("fLaC")
        buffer.writeString("camb-sim run_id=\(runID)\n")
        var seed = UInt64(truncatingIfNeeded: runID) &* 0x9E37_79B9_7F4A_7C15 | 1
        while buffer.readableBytes < size {
            seed ^= seed << 13
            seed ^= seed >> 7
            seed ^= seed << 17
            buffer.writeInteger(UInt8(truncatingIfNeeded: seed))
        }
        return buffer
    }
}
