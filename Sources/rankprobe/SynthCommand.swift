import ArgumentParser
import Foundation
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

    /// Checks what every mode shares, then the chosen mode's own options (in SynthCommand+NPY, +Logs,
    /// +Respond), so that each mode's rules sit beside the code that uses them.
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

        if asLogWriter && respond == nil { throw ValidationError("--as-log-writer applies to --respond only") }
        if respond != nil { return try validateRespond() }

        guard let samples else {
            throw ValidationError("--samples N is required (the number of prompts), except with --respond")
        }
        guard samples >= 2 else { throw ValidationError("--samples must be at least 2 (got \(samples))") }
        if let quantize, !(quantize.isFinite && quantize > 0) {
            throw ValidationError("--quantize must be a finite step > 0 (got \(quantize))")
        }
        if resolvedFormat == .npy { try validateNPY() } else { try validateLogs() }
    }

    /// The options that shape .npy output only.
    var npyOnlyOptions: [(String, Bool)] {
        [("--precision", precision != nil), ("--kind", kind != nil), ("--quantize", quantize != nil)]
    }

    /// The options that shape recorded traffic only (--failure-rate also applies to --respond).
    var logOnlyOptions: [(String, Bool)] {
        [("--tokens", tokens != nil), ("--top-logprobs", topLogprobs != nil), ("--repeats", repeats != nil),
         ("--corruption-rate", corruptionRate != nil)]
    }

    /// Options given that the chosen mode does not use: refuse them rather than ignore them silently.
    func refuse(_ given: [(String, Bool)], _ reason: String) throws {
        let names = given.filter(\.1).map(\.0)
        if !names.isEmpty { throw ValidationError("\(names.joined(separator: ", ")) \(names.count == 1 ? "does" : "do") not apply \(reason)") }
    }

    func run() throws {
        try createParentDirectory(of: out)
        if let respond { return try answer(respond) }
        if resolvedFormat == .npy { try writeNPY() } else { try writeLogs() }
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

}

extension SyntheticArtefacts.Norm: ExpressibleByArgument {}
