import TTSTrackWire

/// The task ids a command was given: its arguments, where `-` stands for standard input, one
/// id per line. Every id is checked with `TaskID.problem` before it is sent, so a typo is bad
/// usage (exit 64) found by the client rather than a refusal from the daemon; standard input is
/// handed out in batches, so a million ids never sit in memory at once.
struct IDInput {
    /// Ids per call when ids are streamed: well under the daemon's limit of 100,000 per call,
    /// and small enough that a batch is a short transaction for the daemon.
    static let batchSize = 10_000

    private let literal: [String]
    let readsStandardInput: Bool

    /// Checks the ids given as arguments; `-` may appear anywhere (its ids come after the others).
    init(arguments: [String]) throws(CLIError) {
        var literal: [String] = []
        var readsStandardInput = false
        for argument in arguments {
            if argument == "-" {
                readsStandardInput = true
                continue
            }
            if let problem = TaskID.problem(with: argument) {
                throw .usage("invalid task id \(TrackerConnection.quoted(argument)): \(problem)")
            }
            literal.append(argument)
        }
        self.literal = literal
        self.readsStandardInput = readsStandardInput
    }

    /// Calls `body` with batches of at most `size` ids: the arguments first, then standard
    /// input. Blank lines and white space around an id are skipped. An invalid line stops the
    /// reading with a usage error naming the line; earlier batches have been handed out.
    func forEachBatch(
        size: Int = batchSize, _ body: ([String]) async throws(CLIError) -> Void
    ) async throws(CLIError) {
        var start = 0
        while start < literal.count {
            let end = min(start + size, literal.count)
            try await body(Array(literal[start..<end]))
            start = end
        }
        guard readsStandardInput else { return }
        var reader = LineReader()
        var batch: [String] = []
        batch.reserveCapacity(size)
        var number = 0
        while let line = reader.next() {
            number += 1
            let id: String
            switch line {
            case .tooLong:
                throw .usage("standard input line \(number): longer than \(TaskID.maxLength) characters")
            case .text(let text):
                id = Self.trimmed(text)
            }
            if id.isEmpty { continue }
            if let problem = TaskID.problem(with: id) {
                throw .usage(
                    "standard input line \(number): invalid task id \(TrackerConnection.quoted(id)): \(problem)")
            }
            batch.append(id)
            if batch.count == size {
                try await body(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try await body(batch) }
    }

    /// Every id at once, for calls that must see them together (`wait`, `watch`).
    func all() async throws(CLIError) -> [String] {
        var ids: [String] = []
        try await forEachBatch { batch throws(CLIError) in ids.append(contentsOf: batch) }
        return ids
    }

    /// Every id, for the commands that need them in one call (`wait`, `watch`, `fetch`): a
    /// standard input with none is a usage error.
    func allRequired() async throws(CLIError) -> [String] {
        let ids = try await all()
        guard !ids.isEmpty else { throw CLIError.usage("no task ids on standard input") }
        return ids
    }

    /// `text` without surrounding spaces, tabs and carriage returns (files from Windows).
    static func trimmed(_ text: String) -> String {
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { !blank($0) }) else { return "" }
        let last = utf8.lastIndex(where: { !blank($0) })!
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return text }
        return String(text[first...last])
    }
}
