import ArgumentParser
import Foundation
import RankProbeNPY
import RankProbeSynth

/// `rankprobe synth --format npy` (the default): a SAMPLES × VOCAB array of log-probabilities or logits.
extension SynthCommand {
    enum Precision: String, ExpressibleByArgument, CaseIterable {
        case f16, f32, f64
        var scalar: NPYScalar {
            switch self { case .f16: .float16; case .f32: .float32; case .f64: .float64 }
        }
    }

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case logprobs, logits
        var output: SyntheticOutputKind {
            switch self { case .logprobs: .logprobs; case .logits: .logits }
        }
    }

    /// The npy mode's own rules: no traffic options.
    func validateNPY() throws {
        if probeProtocol != nil {
            throw ValidationError("--protocol applies to the recorded-traffic formats and --respond, not to --format npy")
        }
        try refuse(logOnlyOptions + [("--failure-rate", failureRate != nil)], "to --format npy (recorded-traffic options)")
    }

    func writeNPY() throws {
        let start = Date()
        let model = SyntheticModel(hidden: hidden, vocab: vocab, seed: seed, bias: bias, artefacts: artefacts)
        // NPYError and SyntheticModelError describe themselves (path and problem); ArgumentParser prints them.
        let samples = samples!, precision = precision ?? .f32, kind = kind ?? .logprobs
        try model.writeNPY(path: out, samples: samples, kind: kind.output, precision: precision.scalar,
                           noise: noise, quantize: quantize,
                           serving: ServingArtefacts(bfloat16Logits: bf16Logits, jitter: jitter))
        let seconds = Date().timeIntervalSince(start)
        let bytes = Double(samples) * Double(vocab) * Double(precision.scalar.byteCount)
        var details = ["d = \(hidden)", "seed \(seed)"]
        if bias { details.append("bias") }
        if noise > 0 { details.append("noise σ = \(noise)") }
        if let quantize { details.append("quantised to \(quantize)") }
        if norm != .rms { details.append(norm.rawValue) }
        if weakDirections > 0 { details.append("\(weakDirections) weak directions ×\(weakScale)") }
        if let decay { details.append("decay \(decay)") }
        if bf16Logits { details.append("bf16 logits") }
        if jitter > 0 { details.append("jitter \(jitter)") }
        let line = "rankprobe synth: wrote \(out): \(samples)×\(vocab) \(precision.scalar.rawValue) \(kind.rawValue) "
            + "(\(bytes >= 1e6 ? String(format: "%.1f MB", bytes / 1e6) : String(format: "%.1f kB", bytes / 1e3)); \(details.joined(separator: ", "))) in \(String(format: "%.1f", seconds)) s\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
