import ArgumentParser
import Foundation
import RankProbeSynth

/// `rankprobe synth --respond BATCH_INPUT.jsonl`: plays the Batch API with the synthetic model.
extension SynthCommand {
    /// The responder's own rules: its output is openai-batch and the input's requests decide what is asked.
    func validateRespond() throws {
        if let format, format != .openaiBatch {
            throw ValidationError("--respond answers a Batch API input file, so its output is openai-batch (got --format \(format.rawValue))")
        }
        if probeProtocol == .direct {
            throw ValidationError("--protocol with --respond is how the server treats logit_bias: forced (unbiased logprobs, as OpenAI) or biased (bias applied before the logprobs); the input's requests decide what is probed")
        }
        try refuse(npyOnlyOptions, "with --respond (it writes Batch output lines)")
        try refuse(logOnlyOptions, "with --respond: the input file's requests decide what is asked")
    }

    /// Plays the Batch API on `input` (see ANSWERING A BATCH FILE): --protocol biased answers as a server that
    /// applies logit_bias before the logprobs, otherwise as today's OpenAI (forced token sampled, unbiased
    /// logprobs). Output order is shuffled, seeded by --seed.
    func answer(_ input: String) throws {
        let start = Date()
        // Earlier versions required --samples here, so scripts pass it: accept it, but say it has no effect.
        if samples != nil {
            FileHandle.standardError.write(Data(
                "rankprobe synth: note: --samples is ignored with --respond (each prompt in the input picks its own sample)\n".utf8))
        }
        let model = SyntheticModel(hidden: hidden, vocab: vocab, seed: seed, bias: bias, artefacts: artefacts)
        let options = SyntheticResponder.Options(
            semantics: probeProtocol == .biased ? .biasedLogprobs : .unbiasedLogprobs, noise: noise,
            failureRate: failureRate ?? 0, seed: seed, dialect: asLogWriter ? .logWriter : .contentHash)
        let summary: SyntheticResponder.Summary
        do {
            summary = try SyntheticResponder(model: model, options: options).respond(inputPath: input, outputPath: out)
        } catch {
            throw RankProbeFailure(message: "\(error)")
        }
        let seconds = String(format: "%.1f", Date().timeIntervalSince(start))
        FileHandle.standardError.write(Data(
            "rankprobe synth: answered \(summary.requests) requests (\(summary.prompts) prompts, \(summary.failed) failed) from \(input) into \(out) in \(seconds) s\n".utf8))
    }
}
