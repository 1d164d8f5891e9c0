import Foundation
import NIOCore

/// The result endpoints the API serves per kind, and the bodies the simulator gives them: the
/// audio itself for `tts-result` (FLAC) and `text-to-sound-result` (WAV), JSON shaped like the
/// API's for the others, with media URLs that point back at the simulator and expire.
enum SimResults {
    /// The canonical (static) endpoint name for a path segment, or nil.
    static func endpoint(_ segment: Substring) -> String? {
        switch segment {
        case "tts-result": "tts-result"
        case "text-to-sound-result": "text-to-sound-result"
        case "dub-result": "dub-result"
        case "transcription-result": "transcription-result"
        case "translation-result": "translation-result"
        case "story-result": "story-result"
        case "audio-separation-result": "audio-separation-result"
        case "text-to-voice-result": "text-to-voice-result"
        case "project-setup-result": "project-setup-result"
        default: nil
        }
    }

    /// The audio format an endpoint streams, or nil when it answers JSON.
    static func audioFormat(_ endpoint: String) -> SimAudio.Format? {
        switch endpoint {
        case "tts-result": .flac
        case "text-to-sound-result": .wav
        default: nil
        }
    }

    /// A file URL on the simulator that expires `lifetime` seconds from now.
    static func fileURL(base: String, runID: Int, ext: String, lifetime: Int) -> String {
        "\(base)/files/\(runID).\(ext)?expires=\(Int(Date().timeIntervalSince1970) + lifetime)"
    }

    /// The JSON result of `runID` at `endpoint`.
    static func json(endpoint: String, runID: Int, base: String, lifetime: Int) -> ByteBuffer {
        func url(_ ext: String) -> String { fileURL(base: base, runID: runID, ext: ext, lifetime: lifetime) }
        let transcript =
            #"[{"start": 0.0, "end": 1.48, "text": "Hello from the simulator.", "speaker": "SPEAKER_0"}, "#
            + #"{"start": 1.52, "end": 3.1, "text": "Run \#(runID).", "speaker": "SPEAKER_1"}]"#
        let text: String
        switch endpoint {
        case "dub-result":
            text = #"{"audio_url": "\#(url("flac"))", "video_url": "\#(url("mp4"))", "transcript": \#(transcript)}"#
        case "transcription-result":
            text = transcript
        case "translation-result":
            text = #"{"texts": ["Hola desde el simulador.", "Ejecución \#(runID)."]}"#
        case "story-result":
            text = #"{"audio_url": "\#(url("flac"))", "transcript": \#(transcript)}"#
        case "audio-separation-result":
            text = #"{"foreground_audio_url": "\#(url("flac"))", "background_audio_url": "\#(url("wav"))"}"#
        case "text-to-voice-result":
            text = #"{"previews": ["\#(url("wav"))", "\#(url("flac"))"]}"#
        default:
            text = #"{"project_id": \#(runID), "status": "ready"}"#
        }
        var buffer = ByteBuffer()
        buffer.writeString(text)
        return buffer
    }
}
