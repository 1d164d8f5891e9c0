// libFuzzer target for the Varlink message decoder and parameter validation.
// Built by scripts/fuzz with `swiftc -sanitize=fuzzer,address` together with the library
// sources it exercises (no package build needed); seeds in Fuzz/corpus.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    // One message as the server sees it: everything up to the first NUL.
    let message = bytes.prefix { $0 != 0 }
    guard case .success(let call)? = try? VarlinkCall.decode(Array(message)) else { return 0 }
    let parameters = Parameters(call.parameters)
    if let ids = try? parameters.optionalStringArray("ids") {
        for id in ids where TaskID.problem(with: id) == nil {
            // A valid id never contains anything that could walk a URL path.
            precondition(!id.isEmpty && id != "." && id != "..")
            precondition(id.utf8.allSatisfy { TaskID.isAllowed($0) })
            let encoded = StatusURL.percentEncoded(id)
            precondition(!encoded.contains("/"))
        }
    }
    _ = try? parameters.optionalDouble("timeout")
    _ = try? parameters.optionalInt("limit")
    _ = try? parameters.optionalString("kind")
    // Replies built from what was parsed must serialize and parse back.
    let reply = VarlinkReply.encode(parameters: call.parameters)
    precondition(reply.last == 0)
    precondition((try? JSONParser.parse(reply.dropLast())) != nil)
    return 0
}
