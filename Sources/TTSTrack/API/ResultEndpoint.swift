/// Where a kind's finished result is fetched from, and what comes back: each kind that has a
/// result endpoint answers `GET {base}/{path}/{run_id}` with the audio itself (streamed, its
/// format in `Content-Type`) or with a JSON document. `translated-story` and `sub` have none
/// without more input, so only their status is tracked.
public struct ResultEndpoint: Sendable, Hashable {
    public enum Body: Sendable, Hashable {
        case audio
        case json
    }

    /// The path segment before the run id, e.g. `tts-result`.
    public let path: String
    public let body: Body

    /// Every kind that has a result, with its endpoint.
    public static let byKind: [String: ResultEndpoint] = [
        "tts": ResultEndpoint(path: "tts-result", body: .audio),
        "translated-tts": ResultEndpoint(path: "tts-result", body: .audio),
        "text-to-sound": ResultEndpoint(path: "text-to-sound-result", body: .audio),
        "dub": ResultEndpoint(path: "dub-result", body: .json),
        "transcribe": ResultEndpoint(path: "transcription-result", body: .json),
        "translate": ResultEndpoint(path: "translation-result", body: .json),
        "story": ResultEndpoint(path: "story-result", body: .json),
        "audio-separation": ResultEndpoint(path: "audio-separation-result", body: .json),
        "text-to-voice": ResultEndpoint(path: "text-to-voice-result", body: .json),
        "project-setup": ResultEndpoint(path: "project-setup-result", body: .json),
    ]

    /// The endpoint for `kind`, or nil when the kind has none.
    public static func of(kind: String) -> ResultEndpoint? { byKind[kind] }

    /// `{base}/{path}/{run_id}`.
    public func url(baseURL: String, runID: Int64) -> String {
        var base = Substring(baseURL)
        while base.last == "/" { base.removeLast() }
        return "\(base)/\(path)/\(runID)"
    }

    /// The file extension for an audio answer's `Content-Type`: `.flac`, `.wav`, `.mp3`, else
    /// `.bin`. Parameters (`; charset=…`) and case are ignored.
    public static func audioExtension(contentType: String?) -> String {
        let type = contentType?.split(separator: ";").first.map { String($0).trimmingWhitespace.lowercased() } ?? ""
        switch type {
        case "audio/flac", "audio/x-flac": return "flac"
        case "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave": return "wav"
        case "audio/mpeg", "audio/mp3": return "mp3"
        default: return "bin"
        }
    }

    /// True for `application/json` and `…+json`.
    public static func isJSON(contentType: String?) -> Bool {
        guard let type = contentType?.split(separator: ";").first.map({ String($0).trimmingWhitespace.lowercased() })
        else {
            return false
        }
        return type == "application/json" || type.hasSuffix("+json")
    }
}
