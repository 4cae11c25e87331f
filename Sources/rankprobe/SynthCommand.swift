import ArgumentParser
import Foundation
import RankProbeNPY
import RankProbeSynth

/// `rankprobe synth`: writes the outputs of a synthetic model with a known hidden size.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write the outputs of a synthetic language model whose hidden size is known.",
        usage: """
            rankprobe synth --hidden D --vocab V --samples N [--format npy] [npy options] --out FILE.npy
            rankprobe synth --hidden D --vocab V --samples N --format LOGS [log options] --out PREFIX
            rankprobe synth --hidden D --vocab V --respond BATCH_INPUT.jsonl [--protocol forced|biased] --out FILE.jsonl
            """,
        discussion: """
            DESCRIPTION
              Builds a synthetic output layer — hidden states with massive activations and a power-law \
            covariance, an unembedding with uneven token norms and a power-law spectrum, an optional output \
            bias, and a temperature calibrated to realistic next-token entropies — and writes its outputs for \
            SAMPLES prompts. The centred outputs span exactly --hidden dimensions, so every file is ground \
            truth for `rankprobe estimate`: the cliff must appear at that index (plus one with --bias when \
            only rows are centred).

              Everything is determined by --seed: the same options always give the same model, and the \
            same bytes on the same machine (BLAS kernels may round differently on other CPUs).

            OUTPUT
              npy (default)
                     A SAMPLES × VOCAB .npy array (format 1.0, little-endian, C order) of log-probabilities \
            or logits, written through a temporary file that is renamed into place when complete. Only this \
            format takes --precision, --kind and --quantize.
              openai-batch
                     Batch API traffic: PREFIX.input.jsonl (the requests) and PREFIX.output.jsonl (the \
            answers, shuffled, with opaque custom_ids). A trailing .jsonl on --out is dropped from PREFIX.
              openai-chat
                     PREFIX.jsonl, one ChatCompletion per line as the SDK dumps it (responses only).
              completions-pairs
                     PREFIX.jsonl, {request, response} lines with legacy Completions bodies.

            PROTOCOLS (log formats; --protocol, default forced)
              forced   one request per prompt and probed token, logit_bias {token: 100}; the server returns \
            the unbiased logprob of the forced token (today's OpenAI behaviour).
              biased   each request biases an anchor token and K−1 others by +100; the server applies the bias \
            before the logprobs, so differences against the anchor are exact.
              direct   one unbiased request per prompt returning the top K logprobs (K may exceed the OpenAI \
            caps, as on vLLM-style servers).

            LOG OPTIONS
              --tokens T          probe token ids 0..<T instead of the whole vocabulary (forced, biased).
              --top-logprobs K    top_logprobs per request: default 20 (chat bodies), 5 (completions-pairs), \
            VOCAB (direct).
              --repeats R         send every request R extra times; copies carry independent noise.
              --failure-rate P    replace a fraction P of the answers by API errors.
              --corruption-rate P truncate a fraction P of the answer lines mid-line (invalid JSON).

            ANSWERING A BATCH FILE (--respond)
              Plays the Batch API: reads a Batch input file (e.g. from `rankprobe plan`), answers every request \
            from the model and writes a Batch output file to --out, in shuffled order. Each prompt's content \
            picks its sample, so --samples is not needed (and ignored), and --format is openai-batch. --protocol forced \
            (default) answers like OpenAI — logit_bias steers the sampled token, logprobs are unbiased; \
            --protocol biased answers like a server that applies logit_bias before the logprobs. \
            --failure-rate P turns a fraction P of the answers into status-500 errors; --noise applies. \
            --as-log-writer answers like `synth --format openai-batch` writes (prompt "Prompt p: …" is sample p, \
            tokens spelled as there), so the requests `estimate --emit-retry` takes from such a log get the \
            same model's answers and fill its holes.

            IMPERFECTIONS
              --noise SIGMA adds Gaussian noise: to every logit before normalisation (npy), or to every \
            returned logprob (logs, --respond). --quantize STEP rounds the npy output to multiples of STEP \
            (APIs that print a few decimals); --precision f16 stores half floats. Each raises the floor below \
            the cliff.

            COST
              The model holds VOCAB × HIDDEN doubles (1 GB for 32000 × 4096); rows are generated in BLAS \
            blocks of at most 256 samples, so memory does not grow with SAMPLES, and --respond computes each \
            distinct prompt's row once, in the same blocks.

            EXAMPLES
              rankprobe synth --hidden 4096 --vocab 32000 --samples 4400 --seed 1 --out llama-like.npy
              rankprobe synth --hidden 64 --vocab 2000 --samples 200 --bias --precision f16 --quantize 0.0625 --out tiny.npy
              rankprobe synth --hidden 32 --vocab 400 --samples 80 --format openai-batch --protocol forced --tokens 120 --out run
              rankprobe synth --hidden 64 --vocab 2000 --respond plan.input.jsonl --protocol biased --failure-rate 0.01 --out plan.output.jsonl
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

    @Option(help: ArgumentHelp("Number of samples N (prompts; rows of the output); at least 2. Ignored by --respond.",
                               valueName: "N"))
    var samples: Int?

    @Option(help: ArgumentHelp("Seed of every random choice.", valueName: "SEED"))
    var seed: UInt64 = 1

    @Flag(help: "Give the model an output bias (a Zipf-like unigram prior), as some lm-heads have.")
    var bias = false

    @Option(help: ArgumentHelp("Standard deviation of Gaussian noise on the logits (npy) or returned logprobs (logs).",
                               valueName: "SIGMA"))
    var noise: Double = 0

    @Option(help: ArgumentHelp("Round every output value to a multiple of STEP (e.g. 0.0625); npy only.", valueName: "STEP"))
    var quantize: Double?

    @Option(help: ArgumentHelp("The final norm: rms (rank d), layernorm (rank d − 1) or layernorm-shift (rank d − 1 plus a constant offset).",
                               valueName: "rms|layernorm|layernorm-shift"))
    var norm: SyntheticArtefacts.Norm = .rms

    @Option(name: .customLong("weak-directions"),
            help: ArgumentHelp("Scale the last W hidden directions by --weak-scale: a shelf of directions that barely vary across prompts.", valueName: "W"))
    var weakDirections: Int = 0

    @Option(name: .customLong("weak-scale"), help: ArgumentHelp("Scale of the weak directions (default 0.02).", valueName: "S"))
    var weakScale: Double = 0.02

    @Option(help: ArgumentHelp("Exponent e of the unembedding's column spectrum s_j ∝ j^-e (default 0.25; 1 decays fast).", valueName: "E"))
    var decay: Double?

    @Flag(name: .customLong("bf16-logits"), help: "Round the logits to bfloat16 before the log-softmax, as GPU servers do (npy only).")
    var bf16Logits = false

    @Option(help: ArgumentHelp("Relative batch jitter on each logit, logit × (1 + J·z) (npy only).", valueName: "J"))
    var jitter: Double = 0

    var artefacts: SyntheticArtefacts {
        SyntheticArtefacts(norm: norm, weakDirections: weakDirections, weakScale: weakScale, unembeddingExponent: decay)
    }

    @Option(help: ArgumentHelp("Element type of the .npy file (default f32); npy only.", valueName: "f16|f32|f64"))
    var precision: Precision?

    @Option(help: ArgumentHelp("Write normalised log-probabilities (default) or raw logits; npy only.",
                               valueName: "logprobs|logits"))
    var kind: Kind?

    @Option(help: ArgumentHelp("What to write (default npy; openai-batch with --respond).",
                               valueName: "npy|openai-batch|openai-chat|completions-pairs"))
    var format: Format?

    @Option(name: .customLong("protocol"),
            help: ArgumentHelp("How the traffic probes the logprobs (default forced); log formats and --respond (forced|biased).",
                               valueName: "forced|biased|direct"))
    var probeProtocol: ProbeProtocol?

    @Option(help: ArgumentHelp("Probe token ids 0..<T only (forced, biased; default: the whole vocabulary).", valueName: "T"))
    var tokens: Int?

    @Option(name: .customLong("top-logprobs"),
            help: ArgumentHelp("top_logprobs per request (default 20, 5 for completions-pairs, VOCAB for direct).",
                               valueName: "K"))
    var topLogprobs: Int?

    @Option(help: ArgumentHelp("Send every request R extra times, each with its own noise (log formats).", valueName: "R"))
    var repeats: Int?

    @Option(name: .customLong("failure-rate"),
            help: ArgumentHelp("Fraction of answers replaced by API errors (log formats and --respond).", valueName: "P"))
    var failureRate: Double?

    @Option(name: .customLong("corruption-rate"),
            help: ArgumentHelp("Fraction of answer lines truncated mid-line (log formats).", valueName: "P"))
    var corruptionRate: Double?

    @Option(help: ArgumentHelp("Answer a Batch API input file with the synthetic model (see ANSWERING A BATCH FILE).",
                               valueName: "BATCH_INPUT.jsonl"))
    var respond: String?

    @Flag(name: .customLong("as-log-writer"), help: "With --respond: map prompts to samples and spell tokens as the log formats do (to answer retries of a synthetic log).")
    var asLogWriter = false

    @Option(help: ArgumentHelp("Output file (npy, --respond) or path prefix (log formats).", valueName: "FILE"))
    var out: String

    /// --format as given, or what --respond implies.
    var resolvedFormat: Format { format ?? (respond != nil ? .openaiBatch : .npy) }

    func validate() throws {
        guard hidden >= 1 else { throw ValidationError("--hidden must be at least 1 (got \(hidden))") }
        guard vocab > hidden else {
            throw ValidationError("--vocab (\(vocab)) must exceed --hidden (\(hidden)): with V ≤ d the outputs have full rank and no cliff")
        }
        guard noise.isFinite, noise >= 0 else { throw ValidationError("--noise must be a finite standard deviation ≥ 0 (got \(noise))") }
        guard jitter.isFinite, jitter >= 0 else { throw ValidationError("--jitter must be a finite fraction ≥ 0 (got \(jitter))") }
        guard weakDirections >= 0, weakDirections < hidden else { throw ValidationError("--weak-directions must be between 0 and --hidden − 1 (got \(weakDirections))") }
        guard weakScale.isFinite, weakScale > 0 else { throw ValidationError("--weak-scale must be finite and > 0 (got \(weakScale))") }
        if let decay { guard decay.isFinite, decay >= 0 else { throw ValidationError("--decay must be finite and ≥ 0 (got \(decay))") } }
        for (name, rate) in [("--failure-rate", failureRate), ("--corruption-rate", corruptionRate)] {
            if let rate, !(rate >= 0 && rate <= 1) { throw ValidationError("\(name) must be a fraction between 0 and 1 (got \(rate))") }
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
        /// Options given that the chosen mode does not use: refuse them rather than ignore them silently.
        func refuse(_ given: [(String, Bool)], _ reason: String) throws {
            let names = given.filter(\.1).map(\.0)
            if !names.isEmpty { throw ValidationError("\(names.joined(separator: ", ")) \(names.count == 1 ? "does" : "do") not apply \(reason)") }
        }
        let npyOnly = [("--precision", precision != nil), ("--kind", kind != nil), ("--quantize", quantize != nil)]
        let logOnly = [("--tokens", tokens != nil), ("--top-logprobs", topLogprobs != nil), ("--repeats", repeats != nil),
                       ("--corruption-rate", corruptionRate != nil)]

        if asLogWriter && respond == nil { throw ValidationError("--as-log-writer applies to --respond only") }
        if respond != nil {
            if let format, format != .openaiBatch {
                throw ValidationError("--respond answers a Batch API input file, so its output is openai-batch (got --format \(format.rawValue))")
            }
            if probeProtocol == .direct {
                throw ValidationError("--protocol with --respond is how the server treats logit_bias: forced (unbiased logprobs, as OpenAI) or biased (bias applied before the logprobs); the input's requests decide what is probed")
            }
            try refuse(npyOnly, "with --respond (it writes Batch output lines)")
            try refuse(logOnly, "with --respond: the input file's requests decide what is asked")
            return
        }

        guard let samples else {
            throw ValidationError("--samples N is required (the number of prompts), except with --respond")
        }
        guard samples >= 2 else { throw ValidationError("--samples must be at least 2 (got \(samples))") }
        if let quantize, !(quantize.isFinite && quantize > 0) {
            throw ValidationError("--quantize must be a finite step > 0 (got \(quantize))")
        }
        let format = resolvedFormat
        if format == .npy {
            if probeProtocol != nil {
                throw ValidationError("--protocol applies to the recorded-traffic formats and --respond, not to --format npy")
            }
            try refuse(logOnly + [("--failure-rate", failureRate != nil)], "to --format npy (recorded-traffic options)")
            return
        }
        try refuse(npyOnly, "to --format \(format.rawValue) (they shape .npy output)")
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

    func run() throws {
        try createParentDirectory(of: out)
        if let respond {
            try answer(respond)
            return
        }
        let format = resolvedFormat
        guard format != .npy else { return try writeNPY() }
        // Logs of SAMPLES prompts probing tokens 0..<T; --noise is serving noise on the returned logprobs;
        // --out is the path prefix (.jsonl, or .input.jsonl/.output.jsonl for the Batch API).
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

    /// `--out run/model.npy` should work in a fresh folder, as `mkdir -p` would.
    private func createParentDirectory(of path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw RankProbeFailure(message: "cannot create the folder \(parent) for --out \(path): \((error as NSError).localizedDescription)")
        }
    }

    /// Plays the Batch API on `input` (see ANSWERING A BATCH FILE): --protocol biased answers as a server that
    /// applies logit_bias before the logprobs, otherwise as today's OpenAI (forced token sampled, unbiased
    /// logprobs). Output order is shuffled, seeded by --seed.
    private func answer(_ input: String) throws {
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

    private func writeNPY() throws {
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

extension SyntheticArtefacts.Norm: ExpressibleByArgument {}
