import ServiceLifecycle

/// A `Service` from a closure, so the daemon's parts need not each declare a type to join
/// the `ServiceGroup`.
struct ClosureService: Service {
    let name: String
    let body: @Sendable () async throws -> Void

    func run() async throws {
        try await body()
    }
}
