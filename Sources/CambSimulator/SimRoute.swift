/// What a request target refers to, parsed without Foundation so the hot path stays cheap.
enum SimRoute: Equatable {
    /// `GET {base}/{kind}/{taskID}`; `taskID` is percent-decoded.
    case status(kind: String, taskID: String)
    /// `GET {base}/{endpoint}/{runID}`, e.g. `tts-result`; `fileURL` when
    /// `output_type=FILE_URL` was requested.
    case result(endpoint: String, runID: Int, fileURL: Bool)
    /// `GET /files/{runID}.{ext}`, a URL that a FILE_URL answer or a JSON result names;
    /// `expires` from its query (seconds since 1970), when it has one.
    case file(runID: Int, ext: String, expires: Int?)
    /// Anything else (answered 404).
    case unknown

    /// Parses `uri` (path plus optional query). A configured `basePath` prefix is stripped
    /// when present; paths without it are accepted too.
    static func parse(uri: String, basePath: String) -> SimRoute {
        var path = Substring(uri)
        var query: Substring = ""
        if let q = path.utf8.firstIndex(of: UInt8(ascii: "?")) {
            query = path[path.utf8.index(after: q)...]
            path = path[..<q]
        }
        if !basePath.isEmpty, path.hasPrefix(basePath) {
            let rest = path.dropFirst(basePath.count)
            if rest.first == "/" { path = rest }
        }
        guard path.first == "/" else { return .unknown }
        path = path.dropFirst()
        guard let slash = path.utf8.firstIndex(of: UInt8(ascii: "/")) else { return .unknown }
        let segment = path[..<slash]
        let rest = path[path.utf8.index(after: slash)...]
        guard !rest.isEmpty, !rest.utf8.contains(UInt8(ascii: "/")) else { return .unknown }

        if let kind = knownKind(segment) {
            return .status(kind: kind, taskID: percentDecode(rest))
        }
        if let endpoint = SimResults.endpoint(segment) {
            guard let runID = Int(rest) else { return .unknown }
            return .result(endpoint: endpoint, runID: runID, fileURL: wantsFileURL(query))
        }
        guard segment == "files", let dot = rest.lastIndex(of: "."), let runID = Int(rest[..<dot]) else {
            return .unknown
        }
        let ext = String(rest[rest.index(after: dot)...])
        guard ["flac", "wav", "mp4"].contains(ext) else { return .unknown }
        return .file(runID: runID, ext: ext, expires: queryValue("expires", in: query).flatMap { Int($0) })
    }

    /// Maps a path segment to the canonical (static, non-allocating) kind string.
    static func knownKind(_ segment: Substring) -> String? {
        switch segment {
        case "tts": "tts"
        case "translated-tts": "translated-tts"
        case "dub": "dub"
        case "translate": "translate"
        case "transcribe": "transcribe"
        case "text-to-sound": "text-to-sound"
        case "text-to-voice": "text-to-voice"
        case "audio-separation": "audio-separation"
        case "story": "story"
        case "translated-story": "translated-story"
        case "project-setup": "project-setup"
        case "sub": "sub"
        default: nil
        }
    }

    static func queryValue(_ name: String, in query: Substring) -> Substring? {
        for item in query.split(separator: "&") {
            guard let eq = item.firstIndex(of: "=") else { continue }
            if item[..<eq] == name { return item[item.index(after: eq)...] }
        }
        return nil
    }

    static func wantsFileURL(_ query: Substring) -> Bool {
        guard !query.isEmpty else { return false }
        for item in query.split(separator: "&") {
            guard let eq = item.firstIndex(of: "=") else { continue }
            if item[..<eq] == "output_type",
                item[item.index(after: eq)...].uppercased() == "FILE_URL"
            {
                return true
            }
        }
        return false
    }

    /// Decodes `%XX` escapes. Malformed escapes are kept literally; the result is repaired
    /// to valid UTF-8. `+` is left alone (it is only special in query strings).
    static func percentDecode(_ s: Substring) -> String {
        guard s.utf8.contains(UInt8(ascii: "%")) else { return String(s) }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var it = Array(s.utf8)[...]
        while let byte = it.popFirst() {
            if byte == UInt8(ascii: "%"), it.count >= 2,
                let hi = hexValue(it[it.startIndex]),
                let lo = hexValue(it[it.startIndex + 1])
            {
                out.append(hi << 4 | lo)
                it = it.dropFirst(2)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
