import ArgumentParser

/// The task ids a command acts on: at least one, `-` for standard input.
struct TaskIDArguments: ParsableArguments {
    @Argument(help: ArgumentHelp("Task ids; '-' reads them from standard input.", valueName: "id"))
    var ids: [String] = []

    func validate() throws {
        if ids.isEmpty { throw ValidationError("Missing expected argument '<id> ...'") }
    }
}
