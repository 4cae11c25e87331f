import Foundation
@testable import RankProbeLogRecords
import Testing

/// The simdjson shim's unpadded-buffer path (capacity < length + RP_JSON_PADDING: the shim copies the
/// text). Issue 14, finding 5: when such a text was invalid and contained NaN/Infinity, the sanitised
/// retry replaced the copy the shim was still reading, and the error was located in freed memory (found
/// under ASan by the fuzzer; FuzzLogLine runs every input both ways). Pinned here: same verdicts, same
/// error offsets, padded or not.
@Suite struct JSONShimTests {
    func extract(_ text: String, padded: Bool) -> (records: Int, error: JSONExtractor.SyntaxError?) {
        let bytes = Array(text.utf8)
        let capacity = padded ? bytes.count + 64 : bytes.count
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, capacity), alignment: 64)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0x20, count: max(1, capacity))
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        var records = 0
        let error = JSONExtractor().extract(UnsafeRawPointer(buffer), count: bytes.count, capacity: capacity) { _ in records += 1 }
        return (records, error)
    }

    @Test(arguments: [
        #"{"a": NaN, "b": }"#,
        #"[Infinity, -Infinity, NaN"#,
        #"{"choices": [{"logprobs": {"content": [{"token": "x", "logprob": NaN}]}}], "#,
    ])
    func invalidTextWithNonFiniteLiterals(_ text: String) {
        let unpadded = extract(text, padded: false)
        let padded = extract(text, padded: true)
        #expect(unpadded.records == 0 && padded.records == 0)
        let e = unpadded.error, f = padded.error
        #expect(e != nil && f != nil)
        #expect(e?.code == f?.code && e?.offset == f?.offset && e?.message == f?.message)
        if let offset = e?.offset { #expect((0...text.utf8.count).contains(offset)) }
    }

    @Test func validTextWithNaNStillReads() {
        let text = #"{"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"logprobs":{"content":[{"token":"a","logprob":NaN,"top_logprobs":[]}]}}]}"#
        for padded in [false, true] {
            let r = extract(text, padded: padded)
            #expect(r.error == nil && r.records == 1, "padded: \(padded)")
        }
    }
}
