import Foundation
import Testing

/// Chat Completions responses saved without their requests: rows are prompts, and a response alone does
/// not say which prompt it answers, so the run must stop with a message that says what to record instead.
@Suite struct BareResponseTests {
    @Test func bareChatResponsesAreRefusedWithAdvice() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("responses.jsonl").path
        let line = #"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"length","message":{"role":"assistant","content":"A"},"logprobs":{"content":[{"token":"A","bytes":[65],"logprob":-0.5,"top_logprobs":[{"token":"A","bytes":[65],"logprob":-0.5},{"token":"B","bytes":[66],"logprob":-1.5}]}]}}]}"#
        try Data(([line, line.replacingOccurrences(of: "chatcmpl-1", with: "chatcmpl-2")].joined(separator: "\n") + "\n").utf8)
            .write(to: URL(fileURLWithPath: path))
        let r = try runCLI(["estimate", path, "--no-hash"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("no request body (prompt unknown): 2"), "\(r.stderr)")
        #expect(r.stderr.contains("give the Batch API input file together with its output file"), "\(r.stderr)")
    }
}
