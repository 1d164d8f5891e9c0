/// The `message` field of a simulated CAMB.AI status response.
///
/// The real API returns either a plain string or a JSON object here (for example when
/// content moderation rejects a task), so clients must cope with both shapes; this enum
/// lets tests produce either.
public enum SimMessage: Sendable, Equatable {
    /// Encoded as a JSON string.
    case string(String)
    /// Encoded as a flat JSON object with string values (keys are emitted sorted, so the
    /// output is deterministic).
    case object([String: String])
}
