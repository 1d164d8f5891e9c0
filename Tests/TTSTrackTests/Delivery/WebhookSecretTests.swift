import Foundation
import TTSTrack
import TTSTrackTestSupport
import Testing

/// The signing secret: read as Standard Webhooks write it, refused with the file named otherwise.
@Suite struct WebhookSecretTests {
    /// The example of the Standard Webhooks specification (and its reference libraries' tests).
    @Test func signsTheSpecificationsExampleAsItSays() throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/secret"
        try "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n".write(toFile: path, atomically: true, encoding: .utf8)
        let secret = try WebhookSecret.load(path: path)
        let signature = secret.signature(
            messageID: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: #"{"test": 2432232314}"#)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        // The same secret without the prefix is the same key.
        try "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".write(toFile: path, atomically: true, encoding: .utf8)
        let bare = try WebhookSecret.load(path: path)
        #expect(
            bare.signature(
                messageID: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: #"{"test": 2432232314}"#)
                == signature)
    }

    @Test(
        arguments: [
            (nil, "cannot read webhooks.secret_file"), ("", "is empty"), ("  \n", "is empty"),
            ("whsec_%%%", "does not hold a base64 secret"), ("whsec_", "does not hold a base64 secret"),
        ] as [(String?, String)])
    func anUnusableSecretFileIsRefusedNamingIt(content: String?, words: String) throws {
        let directory = DaemonProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/secret"
        if let content { try content.write(toFile: path, atomically: true, encoding: .utf8) }
        do {
            _ = try WebhookSecret.load(path: path)
            Issue.record("\(String(describing: content)) was accepted")
        } catch {
            #expect(error.description.contains(words), "\(error)")
            #expect(error.description.contains(path))
        }
    }
}
