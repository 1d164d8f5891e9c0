/// The events of one watch, as an `AsyncSequence`: iterate it with `for try await`. It ends
/// with an error when the daemon goes away (``TrackerClientError/disconnected(path:)``) or
/// cuts the watch off (``TrackerClientError/watchOverflow(max:)``), and without one only when
/// the daemon ends the call or the iterating task is cancelled. Dropping it, or leaving the
/// loop, ends the watch and its connection.
public struct TrackerEvents: AsyncSequence, Sendable {
    public typealias Element = TrackerEvent
    public typealias Failure = TrackerClientError

    private let connection: VarlinkConnection
    private let replies: AsyncThrowingStream<VarlinkConnection.Reply, any Error>

    init(connection: VarlinkConnection, replies: AsyncThrowingStream<VarlinkConnection.Reply, any Error>) {
        self.connection = connection
        self.replies = replies
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(connection: connection, replies: replies.makeAsyncIterator())
    }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = TrackerEvent
        public typealias Failure = TrackerClientError

        // Kept so the watch's connection lives as long as its events are read.
        private let connection: VarlinkConnection
        private var replies: AsyncThrowingStream<VarlinkConnection.Reply, any Error>.AsyncIterator
        private var finished = false

        init(
            connection: VarlinkConnection,
            replies: AsyncThrowingStream<VarlinkConnection.Reply, any Error>.AsyncIterator
        ) {
            self.connection = connection
            self.replies = replies
        }

        public mutating func next() async throws(TrackerClientError) -> TrackerEvent? {
            try await next(isolation: nil)
        }

        public mutating func next(
            isolation actor: isolated (any Actor)?
        ) async throws(TrackerClientError) -> TrackerEvent? {
            guard !finished else { return nil }
            let reply: VarlinkConnection.Reply?
            do {
                reply = try await replies.next(isolation: actor)
            } catch let error as TrackerClientError {
                finished = true
                throw error
            } catch {
                finished = true
                throw .disconnected(path: connection.path)
            }
            guard let reply else {
                finished = true
                // Iteration was cancelled, or the daemon ended the call without an error.
                return nil
            }
            if let error = reply.error {
                finished = true
                throw TrackerClientError(error)
            }
            if !reply.continues { finished = true }
            guard let event = reply.parameters["event"] else { return try await next(isolation: actor) }
            return TrackerEvent(json: event)
        }
    }
}
