public import TTSTrack

extension VarlinkClient {
    /// True when the daemon closes the connection instead of replying.
    public func isClosedWithoutReply() -> Bool {
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
