import TTSTrack
import Testing

/// `poll.schedule` and its extensions `poll.check_worth`, `poll.due_order`: defaults, their
/// environment variables, and the sentence a wrong value gets.
@Suite struct DaemonConfigurationScheduleTests {
    @Test func adaptiveIsTheDefaultAndBackoffCanBeChosen() async throws {
        let defaults = try await DaemonConfiguration.loading([:])
        #expect(defaults.poll.schedule == .adaptive && defaults.poll.dueOrder == .likeliest)
        #expect(defaults.poll.checkWorth == 2)
        let set = try await DaemonConfiguration.loading([
            "TTSTRACK_POLL_SCHEDULE": "backoff", "TTSTRACK_POLL_DUE_ORDER": "oldest", "TTSTRACK_POLL_CHECK_WORTH": "4",
        ])
        #expect(set.poll.schedule == .backoff && set.poll.dueOrder == .oldest && set.poll.checkWorth == 4)
    }

    @Test(
        arguments: [
            (["TTSTRACK_POLL_SCHEDULE": "smart"], "poll.schedule must be adaptive or backoff, not \"smart\""),
            (["TTSTRACK_POLL_DUE_ORDER": "random"], "poll.due_order must be likeliest or oldest, not \"random\""),
            (["TTSTRACK_POLL_CHECK_WORTH": "0"], "poll.check_worth must be more than 0"),
            (["TTSTRACK_POLL_GIVE_UP_AFTER": "inf"], "poll.give_up_after must be a finite number, not inf"),
            (["TTSTRACK_POLL_MAX_INTERVAL": "1e400"], "poll.max_interval must be a finite number, not inf"),
            (["TTSTRACK_POLL_FIRST_DELAY": "nan"], "poll.first_delay must be a finite number, not nan"),
            (["TTSTRACK_API_TIMEOUT": "inf"], "api.timeout must be a finite number, not inf"),
        ] as [([String: String], String)])
    func wrongValuesAreRefusedInOneSentence(environment: [String: String], expected: String) async {
        do {
            _ = try await DaemonConfiguration.loading(environment)
            Issue.record("loaded \(environment)")
        } catch {
            #expect("\(error)" == expected)
        }
    }
}
