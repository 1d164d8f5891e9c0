import TTSTrack
import Testing

@Suite struct StatusReportTests {
    @Test func parsesEveryField() throws {
        let report = try StatusReport.parse(
            Array(
                #"{"status":"ERROR","run_id":null,"exception_reason":"PROCESSING_ERROR","message":"boom","x":[1]}"#.utf8
            ))
        #expect(report == StatusReport(status: "ERROR", runID: nil, reason: "PROCESSING_ERROR", message: "boom"))
    }

    @Test func keepsObjectMessagesAsJSONText() throws {
        let report = try StatusReport.parse(Array(#"{"status":"ERROR","message":{"code":"harmful","n":2}}"#.utf8))
        #expect(report.message == #"{"code":"harmful","n":2}"#)
    }

    @Test func keepsUnknownStatusesVerbatim() throws {
        #expect(try StatusReport.parse(Array(#"{"status":"QUEUED"}"#.utf8)).status == "QUEUED")
    }

    @Test func readsRunIDOfSuccess() throws {
        #expect(
            try StatusReport.parse(Array(#"{"status":"SUCCESS","run_id":123456789012}"#.utf8)).runID == 123_456_789_012)
    }

    @Test(arguments: [
        #"{"status":"SUCCESS","run_id":"12"}"#, #"{"run_id":null}"#, #"{"status":5}"#, #"[1]"#, #"{"status":"PEND"#,
        #"{"status":"SUCCESS"}"#, #"{"status":""}"#,
    ])
    func refusesMalformedAnswers(body: String) {
        #expect(throws: StatusReport.Malformed.self) { try StatusReport.parse(Array(body.utf8)) }
    }
}
