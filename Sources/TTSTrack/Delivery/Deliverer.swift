/// Makes one attempt at a delivery: the hook runner and the webhook sender, or a test's stand-in,
/// behind the one engine.
public protocol Deliverer: Sendable {
    func deliver(_ delivery: DueDelivery) async -> DeliveryOutcome
    /// Ends what the deliverer holds (threads, connections) once no attempt runs any more.
    func shutdown() async
}
