import TTSTrackClient

extension TrackerTask {
    /// `reason: message`, or whichever of them is there; empty when neither is.
    var detail: String {
        switch (reason, message) {
        case (let reason?, let message?) where !reason.isEmpty && !message.isEmpty: "\(reason): \(message)"
        case (let reason?, _) where !reason.isEmpty: reason
        case (_, let message?) where !message.isEmpty: message
        default: ""
        }
    }
}
