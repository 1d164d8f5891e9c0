import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The key webhooks are signed with, from `webhooks.secret_file`: its content, trimmed, after
/// an optional `whsec_` prefix, base64-decoded (as Standard Webhooks secrets are written). It is
/// held only here: no message, log line or reply ever carries it, only the file's path.
package struct WebhookSecret: Sendable {
    let key: SymmetricKey

    /// A secret that cannot be used; the message names the file, never its content.
    package struct Invalid: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    package init(bytes: [UInt8]) {
        key = SymmetricKey(data: bytes)
    }

    /// Reads and decodes the secret file.
    package static func load(path: String) throws(Invalid) -> WebhookSecret {
        guard let file = fopen(path, "r") else {
            throw Invalid(
                description:
                    "cannot read webhooks.secret_file \(path): \(String(cString: strerror(errno))); put the signing secret there"
            )
        }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = fread(&buffer, 1, buffer.count, file)
        if ferror(file) != 0 {
            throw Invalid(description: "cannot read webhooks.secret_file \(path); check that it is a readable file")
        }
        var text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingWhitespace
        guard !text.isEmpty else {
            throw Invalid(description: "webhooks.secret_file \(path) is empty; put the signing secret (whsec_…) in it")
        }
        if text.hasPrefix("whsec_") { text.removeFirst(6) }
        guard count < buffer.count, let bytes = Base64.decode(text), !bytes.isEmpty else {
            throw Invalid(
                description:
                    "webhooks.secret_file \(path) does not hold a base64 secret (optionally after whsec_); write one like whsec_ and 32 random bytes in base64"
            )
        }
        return WebhookSecret(bytes: bytes)
    }

    /// The `webhook-signature` header for one attempt: `v1,` and the base64 HMAC-SHA256 of
    /// `id.timestamp.body`.
    package func signature(messageID: String, timestamp: Int64, body: String) -> String {
        let signed = Array("\(messageID).\(timestamp).\(body)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: key)
        return "v1," + Base64.encode(Array(mac))
    }
}
