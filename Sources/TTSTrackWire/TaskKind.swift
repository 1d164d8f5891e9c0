/// Which status endpoint a task is polled at. Closed set: the API serves the same status shape
/// at each of these paths, and an unknown kind is refused with `UnknownKind` rather than polled.
package struct TaskKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    package let rawValue: String

    package init?(rawValue: String) {
        guard Self.all.contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { self.rawValue = known }

    /// The default kind: `GET /tts/{id}`.
    package static let tts = TaskKind(known: "tts")

    /// Every kind the API serves, in the order the API's documentation lists them.
    package static let all: [String] = [
        "tts", "translated-tts", "dub", "translate", "transcribe", "text-to-sound", "text-to-voice",
        "audio-separation", "story", "translated-story", "project-setup", "sub",
    ]

    /// The path segment the status is polled at; equal to the name for every kind today.
    package var pathComponent: String { rawValue }

    package var description: String { rawValue }
}
