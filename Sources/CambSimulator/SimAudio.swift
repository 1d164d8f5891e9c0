public import NIOCore
import Synchronization

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
        // The rest: a stretch of filler made once per size and copied, so a large answer costs
        // a copy, not a generator loop per byte on the simulator's one event loop.
        let filler = Self.filler(size)
        buffer.writeBytes(filler.readableBytesView.prefix(max(0, size - buffer.readableBytes)))
        return buffer
    }

    private static let fillers = Mutex<[Int: ByteBuffer]>([:])

    /// `size` deterministic pseudo-random bytes (xorshift), made once per size.
    private static func filler(_ size: Int) -> ByteBuffer {
        if let cached = fillers.withLock({ $0[size] }) { return cached }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(size)
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        while buffer.readableBytes < size {
            seed ^= seed << 13
            seed ^= seed >> 7
            seed ^= seed << 17
            buffer.writeInteger(seed)
        }
        fillers.withLock { $0[size] = buffer }
        return buffer
    }
}
