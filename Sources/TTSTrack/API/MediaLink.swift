import TTSTrackWire

/// A media URL that a JSON result names, and the file it becomes: `audio_url` → `audio.flac`,
/// the second of `previews` → `previews-2.wav`. The extension comes from the URL's path, else
/// from the answer's `Content-Type`.
struct MediaLink: Sendable, Hashable {
    /// The file's name without extension, from the JSON key (and position in an array).
    let name: String
    let url: String

    /// Every `http(s)` URL in the document, each under a name of its own, in document order.
    static func all(in document: JSONValue) -> [MediaLink] {
        var links: [MediaLink] = []
        var used = Set<String>()
        func add(_ key: String, _ url: String) {
            var base = key.hasSuffix("_url") ? String(key.dropLast(4)) : key
            base = String(base.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
            if base.isEmpty { base = "media" }
            var name = base
            var counter = 2
            while !used.insert(name).inserted {
                name = "\(base)-\(counter)"
                counter += 1
            }
            links.append(MediaLink(name: name, url: url))
        }
        func walk(_ value: JSONValue, key: String) {
            switch value {
            case .string(let text) where text.hasPrefix("https://") || text.hasPrefix("http://"):
                add(key, text)
            case .array(let items):
                for (index, item) in items.enumerated() {
                    walk(item, key: items.count > 1 ? "\(key)-\(index + 1)" : key)
                }
            case .object(let fields):
                for name in fields.keys.sorted() { walk(fields[name]!, key: name) }
            default:
                break
            }
        }
        walk(document, key: "media")
        return links
    }

    /// `name.ext`, the extension from the URL's path (`.flac`, `.mp4`…), else from `contentType`.
    func fileName(contentType: String?) -> String {
        let path = url.split(separator: "?").first.map(String.init) ?? url
        let last = path.split(separator: "/").last.map(String.init) ?? ""
        if let dot = last.lastIndex(of: "."), last.distance(from: dot, to: last.endIndex) <= 6 {
            let ext = last[last.index(after: dot)...].lowercased()
            if !ext.isEmpty, ext.allSatisfy({ $0.isLetter || $0.isNumber }) { return "\(name).\(ext)" }
        }
        return "\(name).\(ResultEndpoint.audioExtension(contentType: contentType))"
    }
}
