import _JSONShims
@testable import RankProbeLogRecords
import Testing

/// Row keys: the SHA-256 of the canonical prompt bytes (`PromptKey`), composed in Swift from the pieces the
/// shim hands over. Row keys are stored (retry files, JSON reports) and compared across versions, so every
/// prompt form is pinned here: each request below is read through the shim, its key computed, and compared
/// with the SHA-256 of canonical bytes written out by hand (the digests were computed from those bytes
/// with Python's hashlib; the test also checks them against the bytes).
@Suite struct PromptKeyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// The request body, read as the `request` of a request/response pair.
        var request: String
        var canonical: String
        var sha256: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "chat: string, structured and null content, a missing role and a missing content",
             request: #"{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Hi"}]},{"content":null},{"role":"assistant"}]}"#,
             canonical: "chat\nsystem\u{1F}Be brief.\u{1E}user\u{1F}[{\"type\":\"text\",\"text\":\"Hi\"}]\u{1E}\u{1F}\u{1E}assistant\u{1F}\u{1E}",
             sha256: "50cbab5eb41abb107ff7e9cb27fe56d2f603e1dde88d283e3cc90be7a01d2a21"),
        Case(name: "chat: no messages", request: #"{"messages":[]}"#, canonical: "chat\n",
             sha256: "d03a7ba834457c81580617b90aac6f6505232f556952fcb7fabb3a740b1c2170"),
        Case(name: "prompt string", request: #"{"prompt":"Once upon"}"#, canonical: "prompt\nOnce upon",
             sha256: "492e4c73150cb49dcc73d4bc18f3b3604c46b3a3a712218de685da1ead2c1637"),
        Case(name: "a list of one prompt string", request: #"{"prompt":["Once upon"]}"#, canonical: "prompt\nOnce upon",
             sha256: "492e4c73150cb49dcc73d4bc18f3b3604c46b3a3a712218de685da1ead2c1637"),
        Case(name: "token ids", request: #"{"prompt":[1,-2,30000000000]}"#, canonical: "tokens\n1,-2,30000000000",
             sha256: "2d7405559f6a19eeaf885aeb16cd43db1d004e19e70191b44d14b0ab838bc04a"),
        Case(name: "other JSON", request: #"{"prompt":[1, "a"]}"#, canonical: "json\n[1,\"a\"]",
             sha256: "55a5756cb261898e699dc80190b40f855cafabbec6b33b06a07c1f1eb1a0d91a"),
        Case(name: "Responses: instructions and an input string",
             request: #"{"instructions":"Be brief.","input":"Hi"}"#,
             canonical: "chat\nsystem\u{1F}Be brief.\u{1E}user\u{1F}Hi\u{1E}",
             sha256: "6c69165d1c3e643464c08b2dad95aafb38d2eb433831986e421eac7a0b242573"),
        Case(name: "chat keyed like the same Responses prompt",
             request: #"{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]}"#,
             canonical: "chat\nsystem\u{1F}Be brief.\u{1E}user\u{1F}Hi\u{1E}",
             sha256: "6c69165d1c3e643464c08b2dad95aafb38d2eb433831986e421eac7a0b242573"),
        Case(name: "Responses: instructions and a list of messages",
             request: #"{"instructions":"S","input":[{"role":"user","content":"Hi"}]}"#,
             canonical: "chat\nsystem\u{1F}S\u{1E}user\u{1F}Hi\u{1E}",
             sha256: "ec4400c5e161709c7a897b4a61242774e97026def77623f43712fa66b2d23869"),
        Case(name: "Responses: an input that is neither string nor list",
             request: #"{"instructions":"S","input":{"x": 1}}"#,
             canonical: "chat\nsystem\u{1F}S\u{1E}{\"x\":1}",
             sha256: "0b20f96aa89022c6681532e8d1cfa24f86e4be8b03aa7d76197d5c4d5ca127d3"),
        Case(name: "Gemini: systemInstruction, joined parts, a non-text part, the model and a missing role",
             request: #"{"systemInstruction":{"parts":[{"text":"Be brief."}]},"contents":[{"role":"user","parts":[{"text":"Hi"},{"text":" there"}]},{"role":"model","parts":[{"inlineData":{"mimeType":"image/png"}}]},{"parts":[]}]}"#,
             canonical: "chat\nsystem\u{1F}Be brief.\u{1E}user\u{1F}Hi there\u{1E}assistant\u{1F}{\"inlineData\":{\"mimeType\":\"image/png\"}}\u{1E}user\u{1F}\u{1E}",
             sha256: "5a12220397fb02c96bff713f2f01f7d61afedeab5d5ee17dd845e643bb9eb2af"),
        Case(name: "SGLang text", request: #"{"text":"Hi","sampling_params":{}}"#, canonical: "prompt\nHi",
             sha256: "e72c2a5b95e6d6e365595c54582b506d77894e1c2b10c00eed0968a36b8160c8"),
        Case(name: "SGLang input_ids", request: #"{"input_ids":[5,6]}"#, canonical: "tokens\n5,6",
             sha256: "4c35f4166ea52c3dfd8b118df2dbdb393d9e48e009f9950b1cd6c36e61e76711"),
    ]

    /// The row key of the only record in `text`, or nil when it has no prompt.
    func key(_ text: String) -> String?? {
        var bytes = Array(text.utf8)
        let count = bytes.count
        bytes.append(contentsOf: repeatElement(0x20, count: Int(RP_JSON_PADDING)))
        let cache = PromptKeyCache()
        var keys: [String?] = []
        let error = bytes.withUnsafeBytes { raw in
            JSONExtractor().extract(raw.baseAddress!, count: count, capacity: raw.count) { keys.append(cache.key(for: $0.pointee)) }
        }
        return error == nil && keys.count == 1 ? keys[0] : nil
    }

    @Test(arguments: cases)
    func keyOfEachPromptForm(_ c: Case) {
        let canonical = Array(c.canonical.utf8)
        #expect(canonical.withUnsafeBytes(RecordConverter.hexSHA256) == c.sha256, "the pinned digest is of these bytes")
        #expect(key(#"{"request":\#(c.request),"response":{"choices":[]}}"#) == .some(c.sha256))
    }

    @Test func echoedPromptsAndNone() {
        // A llama.cpp response with no request body keys by its echoed `prompt`.
        #expect(key(#"{"completion_probabilities":[],"prompt":"Once upon","generation_settings":{}}"#)
            == .some("492e4c73150cb49dcc73d4bc18f3b3604c46b3a3a712218de685da1ead2c1637"))
        // A request body's prompt wins over an echo (vLLM's prompt_token_ids).
        #expect(key(#"{"request":{"prompt":"Once upon"},"response":{"choices":[],"prompt_token_ids":[5,6]}}"#)
            == .some("492e4c73150cb49dcc73d4bc18f3b3604c46b3a3a712218de685da1ead2c1637"))
        #expect(key(#"{"choices":[],"prompt_token_ids":[5,6]}"#)
            == .some("4c35f4166ea52c3dfd8b118df2dbdb393d9e48e009f9950b1cd6c36e61e76711"))
        #expect(key(#"{"request":{"model":"m"},"response":{"choices":[]}}"#) == .some(nil))
        // A message that is not an object: no prompt (and the record reports the problem).
        #expect(key(#"{"request":{"messages":["hi"]},"response":{"choices":[]}}"#) == .some(nil))
    }

    @Test func decimalsAsToChars() {
        for v: Int64 in [0, 7, -7, 10, 1_000_000, .max, .min] {
            var out: [UInt8] = []
            PromptKey.decimal(v, &out)
            #expect(String(decoding: out, as: UTF8.self) == String(v))
        }
    }
}
