/// The `webhooks.*` settings: where each task that ends is POSTed, signed with which secret.
public struct WebhookPolicy: Sendable, Equatable {
    /// `http://` or `https://`; empty: no webhooks.
    public var url = ""
    /// The file holding the signing secret (`whsec_` and base64, or plain base64). Only the path
    /// is kept here: the secret itself is read at start and never logged or stored.
    public var secretFile = ""
    /// Seconds one attempt may take, connect to answer.
    public var timeout = 10.0
    /// Attempts before a delivery is given up.
    public var maxAttempts = 12
    /// POSTs in flight at once (`webhooks.concurrency`, an extension of the documented keys).
    public var concurrency = 8

    public init() {}

    public var isEnabled: Bool { !url.isEmpty }

    /// Why the settings cannot work, or `nil`.
    public var problem: String? {
        guard isEnabled else { return nil }
        if !url.hasPrefix("http://") && !url.hasPrefix("https://") {
            return "webhooks.url must start with http:// or https://"
        }
        if secretFile.isEmpty {
            return "webhooks.url is set but webhooks.secret_file is not: set it to a file holding the signing secret"
        }
        if !(timeout > 0 && timeout <= 86_400) {
            return "webhooks.timeout must be more than 0 and at most 86400 seconds"
        }
        if concurrency < 1 || concurrency > 256 { return "webhooks.concurrency must be from 1 to 256" }
        if maxAttempts < 1 { return "webhooks.max_attempts must be 1 or more" }
        return nil
    }
}
