import ArgumentParser
import Foundation
import RankProbeSynth

/// `rankprobe synth --format openai-batch|openai-chat|completions-pairs`: recorded API traffic of the model.
extension SynthCommand {
    /// The log writer's own rules: protocol, tokens, repeats and top_logprobs against the format's caps.
    func validateLogs() throws {
        let format = resolvedFormat
        try refuse(npyOnlyOptions, "to --format \(format.rawValue) (they shape .npy output)")
        let proto = probeProtocol ?? .forced
        if let tokens {
            if proto == .direct { throw ValidationError("--tokens does not apply to --protocol direct (one request per prompt)") }
            guard tokens >= 1 && tokens <= vocab else { throw ValidationError("--tokens must be 1…\(vocab) (got \(tokens))") }
            if proto == .biased, tokens < 2 { throw ValidationError("--protocol biased needs --tokens ≥ 2 (an anchor and another token)") }
        }
        if let repeats, repeats < 0 { throw ValidationError("--repeats must be ≥ 0 (got \(repeats))") }
        if let topLogprobs {
            let cap = format == .completionsPairs ? 5 : 20
            switch proto {
            case .direct:
                guard topLogprobs >= 1 && topLogprobs <= vocab else {
                    throw ValidationError("--top-logprobs must be 1…\(vocab) with --protocol direct (got \(topLogprobs))")
                }
            case .biased:
                guard topLogprobs >= 2 && topLogprobs <= cap else {
                    throw ValidationError("--top-logprobs must be 2…\(cap) for --protocol biased with \(format.rawValue) (got \(topLogprobs))")
                }
            case .forced:
                guard topLogprobs >= 0 && topLogprobs <= cap else {
                    throw ValidationError("--top-logprobs must be 0…\(cap) with \(format.rawValue) (got \(topLogprobs))")
                }
            }
        }
    }

    /// Logs of SAMPLES prompts probing tokens 0..<T; --noise is serving noise on the returned logprobs;
    /// --out is the path prefix (.jsonl, or .input.jsonl/.output.jsonl for the Batch API).
    func writeLogs() throws {
        let format = resolvedFormat
        let model = SyntheticModel(hidden: hidden, vocab: vocab, seed: seed, bias: bias, artefacts: artefacts)
        let kind = SyntheticLogOptions.ProtocolKind(rawValue: (probeProtocol ?? .forced).rawValue)!
        let top = topLogprobs ?? (kind == .direct ? vocab : (format == .completionsPairs ? 5 : 20))
        let options = SyntheticLogOptions(
            format: SyntheticLogOptions.Format(rawValue: format.rawValue)!, protocol: kind, prompts: samples!,
            tokens: tokens, topLogprobs: top, repeats: repeats ?? 0, noise: noise, failureRate: failureRate ?? 0,
            corruptionRate: corruptionRate ?? 0, seed: seed)
        let prefix = out.hasSuffix(".jsonl") ? String(out.dropLast(6)) : out
        do {
            let files = try SyntheticLogs.write(source: model, options: options, to: prefix)
            FileHandle.standardError.write(Data("rankprobe synth: wrote \(files.joined(separator: ", "))\n".utf8))
        } catch {
            throw RankProbeFailure(message: "\(error)")
        }
    }
}
