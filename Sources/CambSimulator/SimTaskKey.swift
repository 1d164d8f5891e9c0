/// Identifies one task for counting and scripting: the same id under different kinds
/// (`tts/abc` vs `dub/abc`) are different tasks.
struct SimTaskKey: Hashable, Sendable {
    let kind: String
    let taskID: String
}
