/// The `hooks.*` settings: the program run for each task that ends, and how hard to try.
public struct HookPolicy: Sendable, Equatable {
    /// The program and its arguments, run without a shell; empty: no hooks.
    public var exec: [String] = []
    /// Seconds one run may take; past them it is killed with its whole process group.
    public var timeout = 30.0
    /// Runs at once.
    public var concurrency = 4
    /// Attempts before a delivery is given up.
    public var maxAttempts = 8

    public init() {}

    public var isEnabled: Bool { !exec.isEmpty }

    /// Why the settings cannot work, or `nil`.
    public var problem: String? {
        if let program = exec.first, program.isEmpty {
            return "hooks.exec must start with a program, not an empty string"
        }
        if !(timeout > 0 && timeout <= 86_400) { return "hooks.timeout must be more than 0 and at most 86400 seconds" }
        if concurrency < 1 || concurrency > 256 { return "hooks.concurrency must be from 1 to 256" }
        if maxAttempts < 1 { return "hooks.max_attempts must be 1 or more" }
        return nil
    }
}
