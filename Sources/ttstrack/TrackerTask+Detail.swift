import TTSTrackClient

extension TrackerTask {
    /// `reason: message`, or whichever of them is there, then where the result stands (its
    /// file once done); empty when there is nothing to say.
    var detail: String {
        let result: String? =
            switch resultState {
            case "done": resultPath
            case "pending": resultError.map { "fetching result (last attempt: \($0))" } ?? "fetching result"
            case "failed": "result failed: \(resultError ?? "unknown error")"
            default: nil
            }
        guard let result else { return apiDetail }
        return apiDetail.isEmpty ? result : "\(apiDetail); \(result)"
    }

    /// `reason: message`, or whichever of them is there; empty when neither is.
    var apiDetail: String {
        switch (reason, message) {
        case (let reason?, let message?) where !reason.isEmpty && !message.isEmpty: "\(reason): \(message)"
        case (let reason?, _) where !reason.isEmpty: reason
        case (_, let message?) where !message.isEmpty: message
        default: ""
        }
    }
}
