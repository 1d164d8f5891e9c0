public import NIOCore

/// Fake audio served by the result endpoints: starts with the format's magic (`fLaC`, or a
/// RIFF/WAVE header) so clients that sniff the format accept it, followed by a readable run-id
/// marker and deterministic pseudo-random filler. It is not a decodable stream.
public enum SimAudio {
    public enum Format: String, Sendable {
        case flac, wav, mp4

        var contentType: String {
            switch self {
            case .flac: "audio/flac"
            case .wav: "audio/wav"
            case .mp4: "video/mp4"
            }
        }
    }

    /// Size of every fake file unless the simulator is told otherwise.
    public static let defaultSize = 4096

    /// The bytes for `runID` (deterministic, so tests can compare downloads).
    public static func bytes(runID: Int, format: Format = .flac, size: Int = defaultSize) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(size)
        switch format {
        case .flac: buffer.writeStaticString("fLaC")
        case .wav:
            buffer.writeStaticString("RIFF")
            buffer.writeInteger(UInt32(max(size - 8, 0)), endianness: .little)
            buffer.writeStaticString("WAVEfmt ")
        case .mp4: buffer.writeStaticString("\0\0\0\u{18}ftypmp42")
        }
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
