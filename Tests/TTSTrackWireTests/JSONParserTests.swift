import TTSTrackWire
import Testing

@Suite struct JSONParserTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        ("-12", .int(-12)),
        ("1.5e2", .double(150)),
        ("\"a\\u00e9\\n\\ud83d\\ude00\"", .string("aé\n😀")),
        ("[1, \"x\", {}]", .array([.int(1), .string("x"), .object([:])])),
        ("{\"a\": {\"b\": [true]}}", .object(["a": .object(["b": .array([.bool(true)])])])),
    ])
    func parsesValidDocuments(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "tru", "\"\\x\"", "\"unterminated", "{} x", "\"\\ud800\"",
        "\"tab\there\"", "NaN", "[" + String(repeating: "[", count: 200) + String(repeating: "]", count: 201),
    ])
    func refusesInvalidDocuments(text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func serializationRoundTrips() throws {
        let value: JSONValue = ["b": [1, 2.5, "q\"\\\u{1}"], "a": nil, "c": true]
        #expect(value.jsonText == #"{"a":null,"b":[1,2.5,"q\"\\\u0001"],"c":true}"#)
        #expect(try JSONParser.parse(value.jsonText) == value)
    }
}
