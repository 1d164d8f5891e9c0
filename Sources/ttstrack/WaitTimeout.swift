import ArgumentParser

/// `--timeout SECONDS` of the commands that wait (`wait`, `fetch`): checked once, and turned
/// into the `Wait` call's timeout in one place.
struct WaitTimeout: ParsableArguments {
    /// Ten years: longer timeouts are treated as no timeout.
    static let longest: Double = 10 * 365 * 86_400

    @Option(help: ArgumentHelp("Give up after this many seconds (exit 2). Default: no limit.", valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if let timeout, !(timeout >= 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a number of seconds, 0 or more")
        }
    }

    /// The timeout to send. One beyond ``longest`` is sent as none at all: the same wait in
    /// practice, and ttstrackd 0.1.0 traps converting a timeout over ~9.2e15 s to Int64.
    var limit: Duration? {
        timeout.flatMap { $0 <= Self.longest ? Duration.seconds($0) : nil }
    }
}
