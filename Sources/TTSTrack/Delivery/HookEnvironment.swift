import TTSTrackWire

/// The environment a hook runs with: a few variables of the daemon's own that programs expect
/// (`PATH`, `HOME`, the locale…), never its secrets (`CAMB_API_KEY`, proxy credentials) or its
/// systemd plumbing, plus the task's `TTSTRACK_*` variables, each unset when the field is null.
enum HookEnvironment {
    /// Passed through from the daemon's environment when set there.
    static let passedThrough = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR"]

    /// The daemon's variables that a hook inherits, as `NAME=value`.
    static func inherited(from environment: [String: String]) -> [String] {
        var variables: [String] = []
        for name in passedThrough {
            if let value = environment[name] { variables.append("\(name)=\(value)") }
        }
        if environment["PATH"] == nil { variables.append("PATH=/usr/local/bin:/usr/bin:/bin") }
        for (name, value) in environment where name.hasPrefix("LC_") { variables.append("\(name)=\(value)") }
        return variables.sorted()
    }

    /// The task's variables, from its JSON (the `Task` of the Varlink interface).
    static func task(json: String) -> [String] {
        guard case .object(let fields)? = try? JSONParser.parse(json) else { return [] }
        let names: [(String, String)] = [
            ("TTSTRACK_TASK_ID", "task_id"), ("TTSTRACK_KIND", "kind"), ("TTSTRACK_STATUS", "status"),
            ("TTSTRACK_RUN_ID", "run_id"), ("TTSTRACK_TAG", "tag"), ("TTSTRACK_RESULT_PATH", "result_path"),
        ]
        return names.compactMap { variable, field in
            switch fields[field] {
            case .string(let text)?: "\(variable)=\(text)"
            case .int(let number)?: "\(variable)=\(number)"
            default: nil
            }
        }
    }
}
