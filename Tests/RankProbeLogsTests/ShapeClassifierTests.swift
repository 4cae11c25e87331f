import _JSONShims
@testable import RankProbeLogRecords
import Testing

/// The format decisions the shim asks Swift for (`RecordShape`, `BodyShape`), tested with key sets written
/// by hand, each case pinned to one answer; then a few JSON texts through the shim, to pin that its key walk
/// reports what the rules assume (value facts, a repeated key's first value).
@Suite struct ShapeClassifierTests {
    typealias K = JSONKeys

    static let recordCases: [(K, RecordShape)] = [
        // Batch input: custom_id + body + method and/or url.
        ([.customID, .method, .url, .body], .batchInput),
        ([.customID, .url, .body], .batchInput),
        ([.customID, .method, .body], .batchInput),
        // …and it wins over the output rule when a line somehow has both.
        ([.customID, .method, .body, .response], .batchInput),
        // custom_id + body without method/url is no input line (and no output line either).
        ([.customID, .body], .response),
        // Batch output: custom_id + response and/or error.
        ([.customID, .response, .error], .batchOutput),
        ([.customID, .response], .batchOutput),
        ([.customID, .error], .batchOutput),
        ([.customID, .request, .response], .batchOutput),
        // Pairs: request + response (before LiteLLM, whose payload may also have `messages`).
        ([.request, .response], .pair),
        ([.request, .response, .messages, .messagesIsArray], .pair),
        ([.request], .response),
        // LiteLLM: response + messages that is an array, no custom_id.
        ([.response, .messages, .messagesIsArray], .litellm),
        ([.response, .messages, .messagesIsArray, .error], .litellm),
        ([.response, .messages], .response),
        ([.messages, .messagesIsArray], .response),
        // Bare bodies, and objects with none of the keys.
        ([.choices, .object], .response),
        ([.response, .createdAt, .createdAtIsString, .done], .response),
        ([.error], .response),
        ([], .response),
    ]

    @Test(arguments: recordCases)
    func recordKind(_ keys: K, _ expected: RecordShape) {
        #expect(RecordShape.classify(rootKeys: keys) == expected)
    }

    static let bodyCases: [(K, BodyShape)] = [
        // OpenAI-shaped: `choices`, and whatever no rule claims.
        ([.choices, .object], .openAI),
        ([.error], .openAI),
        ([], .openAI),
        // With `choices`, the other APIs' markers are passed over.
        ([.choices, .candidates], .openAI),
        ([.choices, .output, .outputIsArray], .openAI),
        ([.choices, .metaInfo, .metaInfoIsObject], .openAI),
        ([.choices, .object, .objectIsResponse], .openAI),
        ([.choices, .createdAt, .createdAtIsString, .done, .message], .openAI),
        // …but not llama.cpp's keys.
        ([.choices, .completionProbabilities], .llamaCpp),
        ([.completionProbabilities], .llamaCpp),
        ([.generationSettings], .llamaCpp),
        ([.tokensPredicted], .llamaCpp),
        // SGLang: meta_info must be an object; it comes before Gemini.
        ([.metaInfo, .metaInfoIsObject], .sglang),
        ([.metaInfo, .metaInfoIsObject, .candidates], .sglang),
        ([.metaInfo], .openAI),
        ([.metaInfo, .candidates], .gemini),
        // Gemini: candidates, or promptFeedback alone (a blocked prompt); before the Responses API.
        ([.candidates], .gemini),
        ([.promptFeedback], .gemini),
        ([.candidates, .object, .objectIsResponse], .gemini),
        // Responses API: object == "response", or an output array.
        ([.object, .objectIsResponse], .responses),
        ([.output, .outputIsArray], .responses),
        ([.object], .openAI),
        ([.output], .openAI),
        ([.output, .outputIsArray, .completionProbabilities], .responses),
        ([.object, .objectIsResponse, .createdAt, .createdAtIsString, .done, .response], .responses),
        // Ollama: a created_at string, done, and response or message — all of them.
        ([.createdAt, .createdAtIsString, .done, .response], .ollama),
        ([.createdAt, .createdAtIsString, .done, .message], .ollama),
        ([.createdAt, .createdAtIsString, .done, .response, .completionProbabilities], .ollama),
        ([.createdAt, .createdAtIsString, .message], .openAI),  // no `done`
        ([.createdAt, .done, .message], .openAI),               // created_at not a string
        ([.createdAt, .createdAtIsString, .done], .openAI),     // neither response nor message
    ]

    @Test(arguments: bodyCases)
    func bodyReader(_ keys: K, _ expected: BodyShape) {
        #expect(BodyShape.classify(keys: keys) == expected)
    }

    @Test func bitsAreDistinctAndMatchTheCEnums() {
        let all: [K] = [
            .customID, .body, .method, .url, .response, .error, .request, .messages, .choices, .metaInfo,
            .candidates, .promptFeedback, .object, .output, .createdAt, .done, .message,
            .completionProbabilities, .generationSettings, .tokensPredicted, .messagesIsArray,
            .metaInfoIsObject, .objectIsResponse, .outputIsArray, .createdAtIsString,
        ]
        #expect(all.allSatisfy { $0.rawValue.nonzeroBitCount == 1 })
        #expect(Set(all.map(\.rawValue)).count == all.count)
        #expect(RecordShape.allCases.map(\.rawValue) == [
            RP_KIND_RESPONSE, RP_KIND_BATCH_INPUT, RP_KIND_BATCH_OUTPUT, RP_KIND_PAIR, RP_KIND_LITELLM,
        ].map { Int32($0.rawValue) })
        #expect(BodyShape.allCases.map(\.rawValue) == [
            RP_READER_OPENAI, RP_READER_LLAMACPP, RP_READER_SGLANG, RP_READER_GEMINI, RP_READER_RESPONSES, RP_READER_OLLAMA,
        ].map { Int32($0.rawValue) })
    }

    /// Kind and shape the shim reports for one JSON text (one record).
    func kindAndShape(_ text: String) -> (kind: rp_kind, shape: rp_shape)? {
        var bytes = Array(text.utf8)
        let count = bytes.count
        bytes.append(contentsOf: repeatElement(0x20, count: Int(RP_JSON_PADDING)))
        var result: (rp_kind, rp_shape)?
        let error = bytes.withUnsafeBytes { raw in
            JSONExtractor().extract(raw.baseAddress!, count: count, capacity: raw.count) { d in
                result = (rp_kind(rawValue: UInt32(d.pointee.kind)), rp_shape(rawValue: UInt32(d.pointee.shape)))
            }
        }
        return error == nil ? result : nil
    }

    @Test func theShimsKeyWalkFeedsTheRules() {
        func check(_ text: String, _ kind: rp_kind, _ shape: rp_shape, sourceLocation: SourceLocation = #_sourceLocation) {
            let r = kindAndShape(text)
            #expect(r?.kind == kind && r?.shape == shape, "\(text)", sourceLocation: sourceLocation)
        }
        check(#"{"custom_id":"a","url":"/v1/chat/completions","body":{"messages":[]}}"#, RP_KIND_BATCH_INPUT, RP_SHAPE_NONE)
        check(#"{"custom_id":"a","error":{"message":"x"}}"#, RP_KIND_BATCH_OUTPUT, RP_SHAPE_NONE)
        check(#"{"request":{"prompt":"p"},"response":{"choices":[]}}"#, RP_KIND_PAIR, RP_SHAPE_CHAT)
        check(#"{"messages":[],"response":{"choices":[]}}"#, RP_KIND_LITELLM, RP_SHAPE_CHAT)
        // `messages` not an array: no LiteLLM payload; the root is read as a body (with no known shape).
        check(#"{"messages":"x","response":{"choices":[]}}"#, RP_KIND_UNKNOWN, RP_SHAPE_NONE)
        check(#"{"meta_info":{},"text":"x"}"#, RP_KIND_RESPONSE, RP_SHAPE_SGLANG)
        check(#"{"meta_info":1,"candidates":[]}"#, RP_KIND_RESPONSE, RP_SHAPE_GEMINI)
        // A repeated key counts with its first value, as a lookup would: meta_info 1 (no object) first.
        check(#"{"meta_info":1,"meta_info":{},"candidates":[]}"#, RP_KIND_RESPONSE, RP_SHAPE_GEMINI)
        check(#"{"meta_info":{},"meta_info":1,"candidates":[]}"#, RP_KIND_RESPONSE, RP_SHAPE_SGLANG)
        check(#"{"object":"response","output":{}}"#, RP_KIND_RESPONSE, RP_SHAPE_RESPONSES)
        check(#"{"object":"responses","output":[]}"#, RP_KIND_RESPONSE, RP_SHAPE_RESPONSES)
        check(#"{"created_at":"2026-01-01T00:00:00Z","done":true,"response":"x"}"#, RP_KIND_RESPONSE, RP_SHAPE_OLLAMA)
        check(#"{"created_at":1767225600,"done":true,"response":"x"}"#, RP_KIND_UNKNOWN, RP_SHAPE_NONE)
        check(#"{"choices":[],"candidates":[]}"#, RP_KIND_RESPONSE, RP_SHAPE_CHAT)
        check(#"{"choices":[],"tokens_predicted":3}"#, RP_KIND_RESPONSE, RP_SHAPE_LLAMACPP)
    }
}
