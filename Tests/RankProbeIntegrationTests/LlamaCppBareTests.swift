import Foundation
import RankProbe
import RankProbeSynth
import Testing

/// Bare llama.cpp `/completion` logs end to end, at small scale: the real-server case (SmolLM2, d = 576,
/// read as `ok 614` because the echoed bias was not seen) reproduced with a d = 24 model and 8 bias groups
/// per prompt, in the shape llama.cpp's server writes.
@Suite struct LlamaCppBareTests {
    func log() throws -> (dir: URL, file: String) {
        let dir = try temporaryDirectory()
        let model = SyntheticModel(hidden: 24, vocab: 120, seed: 5)
        let options = SyntheticLogOptions(format: .llamacpp, protocol: .biased, prompts: 48, tokens: 81, topLogprobs: 11, bias: 100)
        let files = try SyntheticLogs.write(source: model, options: options, to: dir.appendingPathComponent("bare").path)
        return (dir, files[0])
    }

    @Test func echoedBiasGivesTheHiddenSize() throws {
        let (dir, file) = try log()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Estimator.estimate(paths: [file], options: EstimateOptions(hashInputs: false))
        #expect(r.status == .ok, "\(r.message)")
        #expect(r.hiddenDim == 24)
        #expect(r.input?.protocols == ["biased-anchor": 48])
    }

    /// The same log with the echo emptied is what the old reader saw: `direct`, with one normaliser per bias
    /// group (8) added to the 24 dimensions — the real server's 576 + 38 = 614 in small, which the old
    /// detector printed as a confident `ok 32`. The repeated cells now give it away: the same (prompt, token)
    /// read from different bias groups disagrees by about a nat, far above the floor below the drop, so the
    /// verdict is `ambiguous` and says why.
    @Test func withoutTheEchoTheNormalisersBecomeDimensions() throws {
        let (dir, file) = try log()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let stripped = text.replacingOccurrences(of: #""logit_bias":\[[^\]]*\]"#, with: #""logit_bias":[]"#, options: .regularExpression)
        #expect(stripped != text)
        try stripped.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try Estimator.estimate(paths: [file], options: EstimateOptions(hashInputs: false))
        #expect(r.input?.protocols == ["direct": 48])
        #expect(r.status == .ambiguous, "\(r.message)")
        #expect(r.hiddenDim == nil)
        #expect(r.candidates.map(\.dim) == [32])
        #expect(r.noiseModel?.source == "repeats")
        #expect(r.message.contains("repeats disagree"))
    }

    /// Forced requests for a byte-fragment token are never answered: counted, named, and not re-emitted.
    @Test func forcedFragmentTokensAreNamedAndNotRetried() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = SyntheticModel(hidden: 8, vocab: 40, seed: 2)
        var options = SyntheticLogOptions(format: .llamacpp, protocol: .forced, prompts: 20, tokens: 16, topLogprobs: 5)
        options.fragmentTokens = [3, 11]
        let files = try SyntheticLogs.write(source: model, options: options, to: dir.appendingPathComponent("forced").path)
        let r = try Estimator.estimate(paths: files, options: EstimateOptions(hashInputs: false))
        #expect(r.input?.requestsUnretryable == 40)
        #expect(r.input?.unretryableTokens == [3, 11])
        #expect(r.input?.requestsRetryable == 0)
        #expect(r.input?.skipped == ["forced token never sampled whole (not retryable)": 40])
        #expect(r.warnings.contains { $0.hasPrefix("40 forced requests can never be answered: their tokens (3, 11)") }, "\(r.warnings)")
    }
}
