#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Finds the CAMB.AI key: `$CREDENTIALS_DIRECTORY/camb-api-key`, then `CAMB_API_KEY`, then
/// `api.key_file`. Only the source is ever logged, never the key.
public enum APIKeyLoader {
    public struct Found: Sendable, Equatable {
        public var key: String
        /// Where it came from, for the log.
        public var source: String

        public init(key: String, source: String) {
            self.key = key
            self.source = source
        }
    }

    public static func load(environment: [String: String], keyFile: String) -> Found? {
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty,
            let key = readKey("\(directory)/camb-api-key")
        {
            return Found(key: key, source: "systemd credential camb-api-key")
        }
        if let key = environment["CAMB_API_KEY"]?.trimmingWhitespace, !key.isEmpty {
            return Found(key: key, source: "CAMB_API_KEY")
        }
        if let key = readKey(keyFile) {
            return Found(key: key, source: keyFile)
        }
        return nil
    }

    /// The first line of a small file, trimmed; `nil` when missing, unreadable or empty.
    static func readKey(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = fread(&buffer, 1, buffer.count, file)
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let key = line.trimmingWhitespace
        return key.isEmpty ? nil : key
    }
}
