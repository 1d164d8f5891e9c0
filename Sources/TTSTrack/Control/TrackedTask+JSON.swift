package import TTSTrackWire

extension TrackedTask {
    /// The `Task` type of `io.ttstrack.Tracker`.
    package var json: JSONValue {
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        func time(_ value: Timestamp?) -> JSONValue { value.map { .string($0.rfc3339) } ?? .null }
        return .object([
            "task_id": .string(taskID),
            "kind": .string(kind),
            "status": .string(status.rawValue),
            "terminal": .bool(terminal),
            "run_id": runID.map(JSONValue.int) ?? .null,
            "reason": optional(reason),
            "message": optional(message),
            "checks": .int(Int64(checks)),
            "added_at": time(addedAt),
            "updated_at": time(updatedAt),
            "checked_at": time(checkedAt),
            "next_check_at": time(nextCheckAt),
            "tag": optional(tag),
            "result_state": optional(resultState?.rawValue),
            "result_path": optional(resultPath),
            "result_bytes": resultBytes.map(JSONValue.int) ?? .null,
            "result_error": optional(resultError),
        ])
    }
}

extension TaskEvent {
    /// The `Event` type of `io.ttstrack.Tracker`.
    package var json: JSONValue {
        .object(["seq": .int(seq), "task": task.json])
    }
}
