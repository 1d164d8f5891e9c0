import Synchronization

/// A flag that any thread may raise and another read (or take down): a shared reference, as an
/// `Atomic` itself cannot be captured by a closure.
final class AtomicFlag: Sendable {
    private let flag: Atomic<Bool>

    init(_ value: Bool = false) {
        flag = Atomic(value)
    }

    var isSet: Bool { flag.load(ordering: .relaxed) }

    func set() { flag.store(true, ordering: .relaxed) }

    /// Whether it was set; it is down afterwards.
    func take() -> Bool { flag.exchange(false, ordering: .relaxed) }
}
