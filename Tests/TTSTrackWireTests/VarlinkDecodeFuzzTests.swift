import TTSTrackWire
import Testing

/// A seeded random-input test of the message decoder and parameter validation: mutations of
/// valid calls and random bytes must each end in a call, an error reply or a protocol
/// violation — never a crash, and never a call with a malformed id let through.
@Suite struct VarlinkDecodeFuzzTests {
    /// SplitMix64: small, fast, and the same sequence for the same seed on every machine.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds: [[UInt8]] = [
        #"{"method":"io.ttstrack.Tracker.Add","parameters":{"ids":["a","b"],"kind":"tts"}}"#,
        #"{"method":"io.ttstrack.Tracker.Wait","parameters":{"ids":["x"],"timeout":1.5},"more":false}"#,
        #"{"method":"io.ttstrack.Tracker.Watch","parameters":{"since":3},"more":true}"#,
        #"{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"io.ttstrack.Tracker"}}"#,
        #"{"method":"io.ttstrack.Tracker.List","parameters":{"limit":10,"after":"a\u00e9"},"oneway":true}"#,
        #"{"method":"io.ttstrack.Tracker.Get","parameters":["ids"],"more":"yes"}"#,
        #"{"method":"io.ttstrack.Tracker.Add","parameters":{"ids":["a"]},"upgrade":true}"#,
    ].map { Array($0.utf8) }

    static let interesting: [UInt8] =
        Array(#"{}[]",:\0-.eE+ntfu1234567890"#.utf8) + [0x00, 0xFF, 0xC3, 0x80, 0x7F, 0x0A]

    @Test func randomMutationsNeverCrash() {
        var random = SeededGenerator(state: 20_261_125)
        var outcomes = [0, 0, 0]
        for _ in 0..<20_000 {
            var input = Self.seeds.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let position = Int.random(in: 0...input.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where !input.isEmpty: input.remove(at: min(position, input.count - 1))
                case 1: input.insert(Self.interesting.randomElement(using: &random)!, at: position)
                case 2 where !input.isEmpty:
                    input[min(position, input.count - 1)] = UInt8.random(in: 0...255, using: &random)
                default: input.insert(contentsOf: input.prefix(Int.random(in: 0...8, using: &random)), at: position)
                }
            }
            outcomes[Self.classify(input)] += 1
        }
        // Every path is exercised: valid calls, error replies and rejected messages.
        #expect(outcomes.allSatisfy { $0 > 100 }, "\(outcomes)")
    }

    @Test func randomBytesNeverCrash() {
        var random = SeededGenerator(state: 42)
        for _ in 0..<5_000 {
            let bytes = (0..<Int.random(in: 0...200, using: &random)).map { _ in
                Self.interesting.randomElement(using: &random)!
            }
            _ = Self.classify(bytes)
        }
    }

    @Test func deepNestingIsRefusedNotOverflowed() {
        let deep = Array(String(repeating: "[", count: 100_000).utf8)
        #expect(throws: VarlinkCall.ProtocolViolation.self) { try VarlinkCall.decode(deep) }
    }

    /// 0: a call (whose ids, if any, were checked), 1: an error reply, 2: a protocol violation.
    static func classify(_ bytes: [UInt8]) -> Int {
        do {
            switch try VarlinkCall.decode(bytes) {
            case .success(let call):
                let parameters = Parameters(call.parameters)
                if let ids = try? parameters.optionalStringArray("ids") {
                    for id in ids where TaskID.problem(with: id) == nil {
                        #expect(id.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "/") })
                    }
                }
                _ = try? parameters.optionalDouble("timeout")
                _ = try? parameters.optionalInt("limit")
                return 0
            case .failure:
                return 1
            }
        } catch {
            return 2
        }
    }
}
