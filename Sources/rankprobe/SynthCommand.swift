import ArgumentParser
import Foundation
import RankProbeNPY
import RankProbeSynth

/// `rankprobe synth`: writes the outputs of a synthetic model with a known hidden size.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write the outputs of a synthetic language model whose hidden size is known.",
        discussion: """
            DESCRIPTION
              Builds a synthetic output layer — hidden states with massive activations and a power-law \
            covariance, an unembedding with uneven token norms and a power-law spectrum, an optional output \
            bias, and a temperature calibrated to realistic next-token entropies — and writes SAMPLES rows \
            of its outputs. The centred rows span exactly --hidden dimensions, so the file is ground truth \
            for `rankprobe estimate`: the cliff must appear at that index (plus one with --bias when only \
            rows are centred).

              Everything is determined by --seed: the same options always give the same model, and the \
            same bytes on the same machine (BLAS kernels may round differently on other CPUs).

            OUTPUT
              npy    A SAMPLES × VOCAB .npy array (format 1.0, little-endian, C order) of log-probabilities \
            or logits, written through a temporary file that is renamed into place when complete.
              openai-batch, openai-chat, completions-pairs
                     Recorded API traffic instead of a dense array (not yet available in this build).

            IMPERFECTIONS
              --noise SIGMA adds Gaussian noise to every logit before normalisation; --quantize STEP rounds \
            the output to multiples of STEP (APIs that print a few decimals); --precision f16 stores half \
            floats. Each raises the floor below the cliff.

            COST
              The model holds VOCAB × HIDDEN doubles (1 GB for 32000 × 4096); rows are generated in BLAS \
            blocks of at most 256 samples, so memory does not grow with SAMPLES.

            EXAMPLES
              rankprobe synth --hidden 4096 --vocab 32000 --samples 4400 --seed 1 --out llama-like.npy
              rankprobe synth --hidden 64 --vocab 2000 --samples 200 --bias --precision f16 --quantize 0.0625 --out tiny.npy
            """
    )

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

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case npy
        case openaiBatch = "openai-batch"
        case openaiChat = "openai-chat"
        case completionsPairs = "completions-pairs"
    }

    enum ProbeProtocol: String, ExpressibleByArgument, CaseIterable {
        case forced, biased, direct
    }

    @Option(help: ArgumentHelp("Hidden size d of the model (the rank to recover).", valueName: "D"))
    var hidden: Int

    @Option(help: ArgumentHelp("Vocabulary size V (columns of the output); must exceed --hidden.", valueName: "V"))
    var vocab: Int

    @Option(help: ArgumentHelp("Number of samples N (rows of the output, one per prompt); at least 2.", valueName: "N"))
    var samples: Int

    @Option(help: ArgumentHelp("Seed of every random choice.", valueName: "SEED"))
    var seed: UInt64 = 1

    @Flag(help: "Give the model an output bias (a Zipf-like unigram prior), as some lm-heads have.")
    var bias = false

    @Option(help: ArgumentHelp("Standard deviation of Gaussian noise added to every logit.", valueName: "SIGMA"))
    var noise: Double = 0

    @Option(help: ArgumentHelp("Round every output value to a multiple of STEP (e.g. 0.0625).", valueName: "STEP"))
    var quantize: Double?

    @Option(help: ArgumentHelp("Element type of the .npy file.", valueName: "f16|f32|f64"))
    var precision: Precision = .f32

    @Option(help: ArgumentHelp("Write normalised log-probabilities or raw logits.", valueName: "logprobs|logits"))
    var kind: Kind = .logprobs

    @Option(help: ArgumentHelp("What to write.", valueName: "npy|openai-batch|openai-chat|completions-pairs"))
    var format: Format = .npy

    @Option(name: .customLong("protocol"),
            help: ArgumentHelp("How recorded traffic probes the logprobs (log formats only; not yet available).",
                               valueName: "forced|biased|direct"))
    var probeProtocol: ProbeProtocol?

    @Option(help: ArgumentHelp("Answer a Batch API input file with the synthetic model (not yet available).",
                               valueName: "BATCH_INPUT.jsonl"))
    var respond: String?

    @Option(help: ArgumentHelp("Output file.", valueName: "FILE.npy"))
    var out: String

    func validate() throws {
        guard hidden >= 1 else { throw ValidationError("--hidden must be at least 1 (got \(hidden))") }
        guard vocab > hidden else {
            throw ValidationError("--vocab (\(vocab)) must exceed --hidden (\(hidden)): with V ≤ d the outputs have full rank and no cliff")
        }
        guard samples >= 2 else { throw ValidationError("--samples must be at least 2 (got \(samples))") }
        guard noise.isFinite, noise >= 0 else { throw ValidationError("--noise must be a finite standard deviation ≥ 0 (got \(noise))") }
        if let quantize, !(quantize.isFinite && quantize > 0) {
            throw ValidationError("--quantize must be a finite step > 0 (got \(quantize))")
        }
        // The model keeps V × d doubles; refuse up front rather than be killed by the OOM killer later.
        let (cells, overflow) = vocab.multipliedReportingOverflow(by: hidden)
        let needed = overflow ? Double.infinity : Double(cells) * 8
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        guard needed <= 0.75 * physical else {
            throw ValidationError(String(
                format: "--vocab × --hidden = %d × %d needs %.1f GB for the unembedding; this machine has %.1f GB",
                vocab, hidden, needed / 1e9, physical / 1e9))
        }
        if format == .npy, probeProtocol != nil {
            throw ValidationError("--protocol applies to the recorded-traffic formats, not to --format npy")
        }
    }

    func run() throws {
        if let respond {
            // Plays the Batch API: --protocol biased answers as a server that applies logit_bias before the
            // logprobs; otherwise as today's OpenAI (forced token sampled, unbiased logprobs). --noise is
            // added to every returned logprob; output order is shuffled (seeded by --seed).
            let model = SyntheticModel(hidden: hidden, vocab: vocab, seed: seed, bias: bias)
            let options = SyntheticResponder.Options(
                semantics: probeProtocol == .biased ? .biasedLogprobs : .unbiasedLogprobs, noise: noise, seed: seed)
            do {
                let summary = try SyntheticResponder(model: model, options: options).respond(inputPath: respond, outputPath: out)
                FileHandle.standardError.write(Data(
                    "rankprobe synth: answered \(summary.requests) requests (\(summary.prompts) prompts, \(summary.failed) failed) from \(respond) into \(out)\n".utf8))
            } catch {
                throw RankProbeFailure(message: "\(error)")
            }
            return
        }
        switch format {
        case .npy:
            try writeNPY()
        case .openaiBatch, .openaiChat, .completionsPairs:
            // Logs of SAMPLES prompts probing every token; --noise is serving noise on the returned logprobs;
            // --out is the path prefix (.jsonl, or .input.jsonl/.output.jsonl for the Batch API).
            let model = SyntheticModel(hidden: hidden, vocab: vocab, seed: seed, bias: bias)
            let kind = SyntheticLogOptions.ProtocolKind(rawValue: (probeProtocol ?? .forced).rawValue)!
            let top = kind == .direct ? vocab : (format == .completionsPairs ? 5 : 20)
            let options = SyntheticLogOptions(
                format: SyntheticLogOptions.Format(rawValue: format.rawValue)!, protocol: kind, prompts: samples,
                topLogprobs: top, noise: noise, seed: seed)
            let prefix = out.hasSuffix(".jsonl") ? String(out.dropLast(6)) : out
            do {
                let files = try SyntheticLogs.write(source: model, options: options, to: prefix)
                FileHandle.standardError.write(Data("rankprobe synth: wrote \(files.joined(separator: ", "))\n".utf8))
            } catch {
                throw RankProbeFailure(message: "\(error)")
            }
        }
    }

    private func writeNPY() throws {
        let start = Date()
        let model = SyntheticModel(hidden: hidden, vocab: vocab, seed: seed, bias: bias)
        // NPYError and SyntheticModelError describe themselves (path and problem); ArgumentParser prints them.
        try model.writeNPY(path: out, samples: samples, kind: kind.output, precision: precision.scalar,
                           noise: noise, quantize: quantize)
        let seconds = Date().timeIntervalSince(start)
        let bytes = Double(samples) * Double(vocab) * Double(precision.scalar.byteCount)
        var details = ["d = \(hidden)", "seed \(seed)"]
        if bias { details.append("bias") }
        if noise > 0 { details.append("noise σ = \(noise)") }
        if let quantize { details.append("quantised to \(quantize)") }
        let line = "rankprobe synth: wrote \(out): \(samples)×\(vocab) \(precision.scalar.rawValue) \(kind.rawValue) "
            + "(\(bytes >= 1e6 ? String(format: "%.1f MB", bytes / 1e6) : String(format: "%.1f kB", bytes / 1e3)); \(details.joined(separator: ", "))) in \(String(format: "%.1f", seconds)) s\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
