import TTSTrack
import Testing

@Suite struct CambClientURLTests {
    @Test func escapesTheIDInThePath() {
        #expect(
            StatusURL.make(baseURL: "https://client.camb.ai/apis/", kind: "tts", taskID: "a:b.c_d-e")
                == "https://client.camb.ai/apis/tts/a%3Ab.c_d-e")
        #expect(StatusURL.percentEncoded("../x y/%") == "..%2Fx%20y%2F%25")
    }
}
