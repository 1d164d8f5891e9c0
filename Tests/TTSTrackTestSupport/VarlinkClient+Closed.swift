extension VarlinkClient {
    /// True when the daemon closes the connection instead of replying.
    package func isClosedWithoutReply() -> Bool {
        do {
            _ = try receive()
            return false
        } catch .closed {
            return true
        } catch {
            return false
        }
    }
}
