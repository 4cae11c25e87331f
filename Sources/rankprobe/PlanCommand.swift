import ArgumentParser
import Foundation
import RankProbeAnalysis

/// `rankprobe plan`: what a measurement will cost, and the Batch API files to run it.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Count the prompts, token columns, requests and cost of a measurement before running it.",
        discussion: """
            DESCRIPTION
              The spectrum shows a cliff at d only if both the prompts (rows) and the token columns exceed \
            d: centring costs one of each, and the detector needs a tail of singular values past the cliff \
            to see the floor it lands on. plan asks for d + 1 + margin of each, margin = max(64, ⌈d/10⌉): 64 \
            tail values make the floor's median stable, and 10 % keeps a somewhat low guess covered at \
            large d. Use an upper bound for --hidden-guess when unsure; cost grows with d².

            PROTOCOLS (all with max_tokens 1)
              forced   logit_bias +100 on one token: one request per prompt and column; the forced token \
            is sampled and its unbiased logprob returned (today's OpenAI behaviour). The free top-k entries \
            differ per prompt and do not add complete columns, so requests = prompts × columns × repeats.
              biased   for servers that apply logit_bias before computing logprobs: each request biases an \
            anchor token plus k − 1 new columns (k = --top-logprobs), all returned in the top-k; values \
            relative to the anchor are exact. requests = prompts × ⌈(columns − 1)/(k − 1)⌉ × repeats.
              tracked  for servers that return the logprobs of token ids the caller names, with no bias at \
            all (--server vllm: logprob_token_ids on /v1/completions; --server sglang: token_ids_logprob on \
            /generate): each request names up to --tracked-per-request column ids (default 128). \
            requests = prompts × ⌈columns/128⌉ × repeats; the cheapest exact audit of an open-weight \
            endpoint. The files are Batch-API-shaped lines (vllm run-batch reads them; for SGLang post each \
            body to /generate and record {"request": body, "response": answer} lines).

            Which protocols an API allows, and what each costs there: rankprobe plan --api NAME.

            COST
              requests × --price-per-request + input tokens × --price-input-per-mtok / 10⁶ + output tokens \
            × --price-output-per-mtok / 10⁶, with --prompt-tokens input tokens (include the chat template) \
            and one output token per request.

            BATCH FILES
              --emit-batch PROMPTS.txt --out DIR writes DIR/batch-0001.jsonl, … (OpenAI Batch API input: \
            {custom_id, method, url, body}), each within 50,000 requests and 200 MB, prompt-major, plus \
            DIR/manifest.json (columns, anchor, counts). PROMPTS.txt holds one prompt per line (\\n and \\t \
            escapes allowed; blank lines ignored; duplicates are an error) and needs at least the plan's prompts \
            (d + 1 + margin lines: 97 for --hidden-guess 32); the first that many are used. \
            With --vocab-file (one token per line, a JSON {token: id}, or a tokenizer.json) columns skip \
            special, reserved, control-character and byte-fallback tokens and are spread over the remaining \
            ids; without it they are spread over the id range away from both ends.

            EXAMPLE
              rankprobe plan --vocab 100000 --hidden-guess 4096 --top-logprobs 20 --protocol forced \\
                  --price-input-per-mtok 0.075 --price-output-per-mtok 0.30 --prompt-tokens 25
              rankprobe plan --vocab 2000 --hidden-guess 32 --protocol forced --top-logprobs 5 \\
                  --emit-batch prompts.txt --out batch/ --model gpt-4o-mini
            """)

    @Option(name: .customLong("vocab"), help: ArgumentHelp("Vocabulary size of the model (with --api: 100,000 unless given).", valueName: "V"))
    var vocabOption: Int?

    @Option(name: .customLong("hidden-guess"), help: ArgumentHelp("Guess or upper bound for the hidden size (with --api: 4096 unless given).", valueName: "D"))
    var hiddenGuessOption: Int?

    @Option(help: ArgumentHelp("Say which protocols this API allows today and what each costs, instead of one plan.", valueName: "NAME"))
    var api: String?

    var vocab: Int { vocabOption ?? 100_000 }
    var hiddenGuess: Int { hiddenGuessOption ?? 4096 }

    @Option(name: .customLong("top-logprobs"), help: ArgumentHelp("top_logprobs the API returns (OpenAI: at most 20).", valueName: "K"))
    var topLogprobs: Int = 20

    @Option(name: .customLong("protocol"), help: ArgumentHelp("Collection protocol.", valueName: "forced|biased|tracked"))
    var collection: QueryPlan.CollectionProtocol = .forced

    @Option(help: ArgumentHelp("Server of the tracked protocol.", valueName: "vllm|sglang"))
    var server: QueryPlan.TrackedServer?

    @Option(name: .customLong("tracked-per-request"), help: ArgumentHelp("Token ids each tracked request names (default 128).", valueName: "N"))
    var trackedPerRequest: Int?

    @Option(help: ArgumentHelp("Times each request is sent (averaging serving noise).", valueName: "R"))
    var repeats: Int = 1

    @Option(name: .customLong("price-per-request"), help: ArgumentHelp("Price of one request.", valueName: "PRICE"))
    var pricePerRequest: Double = 0

    @Option(name: .customLong("price-input-per-mtok"), help: ArgumentHelp("Price per million input tokens.", valueName: "PRICE"))
    var priceInput: Double = 0

    @Option(name: .customLong("price-output-per-mtok"), help: ArgumentHelp("Price per million output tokens.", valueName: "PRICE"))
    var priceOutput: Double = 0

    @Option(name: .customLong("prompt-tokens"), help: ArgumentHelp("Input tokens per request, chat template included.", valueName: "N"))
    var promptTokens: Int = 20

    @Option(name: .long, help: ArgumentHelp("Output format.", valueName: "text|json"))
    var format: Format = .text

    @Option(name: .customLong("emit-batch"), help: ArgumentHelp("Write Batch API input files for the plan from these prompts.", valueName: "PROMPTS.txt"))
    var emitBatch: String?

    @Option(help: ArgumentHelp("Directory for the Batch API input files (with --emit-batch).", valueName: "DIR"))
    var out: String?

    @Option(name: .customLong("vocab-file"), help: ArgumentHelp("Tokenizer vocabulary, to avoid special and never-sampled tokens.", valueName: "FILE"))
    var vocabFile: String?

    @Option(help: ArgumentHelp("Model name written into the Batch requests.", valueName: "MODEL"))
    var model: String = "gpt-4o-mini"

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    func validate() throws {
        if api == nil {
            if vocabOption == nil { throw ValidationError("Missing expected argument '--vocab <V>'") }
            if hiddenGuessOption == nil { throw ValidationError("Missing expected argument '--hidden-guess <D>'") }
        } else if emitBatch != nil {
            throw ValidationError("--api reports what an API allows; plan one protocol (without --api) to --emit-batch")
        }
        if emitBatch != nil && out == nil { throw ValidationError("--emit-batch needs --out DIR") }
        if out != nil && emitBatch == nil { throw ValidationError("--out is only used with --emit-batch") }
        if vocabFile != nil && emitBatch == nil { throw ValidationError("--vocab-file is only used with --emit-batch") }
        for (name, v) in [("--price-per-request", pricePerRequest), ("--price-input-per-mtok", priceInput), ("--price-output-per-mtok", priceOutput)] {
            if !(v.isFinite && v >= 0) { throw ValidationError("\(name) must be a finite price ≥ 0 (got \(v))") }
        }
    }

    func run() throws {
        if let api {
            let profile: APIProfile
            do { profile = try APIProfile.named(api) } catch { throw ValidationError("\(error)") }
            let prices = QueryPlan.Parameters(
                vocab: vocab, hiddenGuess: hiddenGuess, topLogprobs: topLogprobs, protocol: .forced, repeats: repeats,
                pricePerRequest: pricePerRequest, priceInputPerMTok: priceInput, priceOutputPerMTok: priceOutput,
                promptTokens: promptTokens, trackedPerRequest: trackedPerRequest)
            var text: String
            do { text = try profile.report(vocab: vocab, hiddenGuess: hiddenGuess, prices: prices) } catch { throw ValidationError("\(error)") }
            if vocabOption == nil || hiddenGuessOption == nil {
                text += "\nnote: assumed \(vocabOption == nil ? "--vocab 100000" : "")\(vocabOption == nil && hiddenGuessOption == nil ? " and " : "")\(hiddenGuessOption == nil ? "--hidden-guess 4096" : ""); give them for your model"
            }
            try emit(text, to: nil)
            return
        }
        let plan: QueryPlan
        do {
            plan = try QueryPlan.make(.init(
                vocab: vocab, hiddenGuess: hiddenGuess, topLogprobs: topLogprobs, protocol: collection, repeats: repeats,
                pricePerRequest: pricePerRequest, priceInputPerMTok: priceInput, priceOutputPerMTok: priceOutput,
                promptTokens: promptTokens, server: server, trackedPerRequest: trackedPerRequest))
        } catch {
            throw ValidationError("\(error)")
        }
        var emitted: BatchEmitter.Output?
        if let emitBatch, let out {
            do {
                let vocabulary = try vocabFile.map { try TokenColumns.readVocabulary(path: $0) }
                let columns = try TokenColumns.choose(count: plan.columns, vocab: vocab, vocabulary: vocabulary, source: vocabFile)
                let prompts = try BatchEmitter.readPrompts(path: emitBatch)
                emitted = try BatchEmitter(plan: plan, model: model, columns: columns)
                    .write(prompts: prompts, directory: out, promptsSource: emitBatch)
            } catch {
                throw RankProbeFailure(message: "\(error)")
            }
        }
        switch format {
        case .json:
            var text = String(decoding: try QueryPlan.jsonEncoder().encode(plan), as: UTF8.self)
            if let emitted {
                // Splice the emitted files into the plan object (keys stay sorted enough for diffs).
                let files = String(decoding: try QueryPlan.jsonEncoder().encode(emitted), as: UTF8.self)
                text = String(text.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) + ",\n  \"batch\" : " + files.replacingOccurrences(of: "\n", with: "\n  ") + "\n}"
            }
            try emit(text, to: nil)
        case .text:
            var text = plan.text
            if let emitted {
                text += "\nwrote \(emitted.files.count) Batch input file(s), \(QueryPlan.grouped(emitted.requests)) requests, into \(out!) (manifest: \(emitted.manifest))"
            }
            try emit(text, to: nil)
        }
    }
}

extension QueryPlan.CollectionProtocol: ExpressibleByArgument {}
extension QueryPlan.TrackedServer: ExpressibleByArgument {}
