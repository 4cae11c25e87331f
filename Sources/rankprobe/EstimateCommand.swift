import ArgumentParser
import Foundation
import RankProbe
import RankProbeLogs

struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Estimate the hidden size from recorded outputs.",
        discussion: """
            FILE... are either full-vocabulary dumps (.npy, one row per prompt, one column per token; \
            float16, float32 or float64; log-probabilities or raw logits) stacked as rows, or recorded API \
            traffic (OpenAI Chat/Completions responses, Batch API input + output files, request/response \
            logs, vLLM, llama.cpp; .gz accepted). Do not mix the two kinds in one run, and give each file once.

            VERDICT
              ok — the singular values fall off a cliff onto the noise: hidden_dim is the number above it \
            (output_bias says whether a constant offset was also found).
              ambiguous — more than one credible cliff, or one barely above the noise: see candidates.
              insufficient — no cliff: fewer samples (or token columns) than the hidden size, or noise; \
            lower_bound and how much more to collect.
            Every verdict exits 0; unreadable or malformed input exits 1 with a message naming the file and \
            the problem. Warnings (dropped columns, missing cells, lost requests, likely mistakes such as \
            probabilities saved instead of log-probabilities) are listed once, in every format.

            Columns holding -inf or NaN in some sample are dropped (and counted); samples that are mostly \
            non-finite are dropped first.

            OUTPUT
              --format picks what goes to standard output (or to -o PATH); --report PATH also writes a \
            report in the format its extension names (.html, .htm, .md, .markdown, .json, .txt); any other \
            extension is refused. Every output path (-o, --report, --emit-retry) is checked before any input \
            is read. Progress goes to standard error when it is a terminal; --quiet silences it.

            DAMAGED LOGS AND RETRIES (--emit-retry PATH)
              Missing log-probabilities are never imputed: the largest complete prompts × tokens block is \
            kept. With one request per (prompt, token) cell (the forced-token protocol), 1% of lost lines \
            leaves holes in nearly every row and column, so the only repair is to ask those requests again. \
            input.requests_retryable counts the sent requests without a usable answer, and --emit-retry PATH \
            writes them as OpenAI Batch API input files:
              Batch input + output files — every input line whose custom_id has no output line, only \
            unreadable ones, or only failed ones (error set, status ≠ 200), copied byte for byte with \
            custom_id <id>-retry1 (a request already named <id>-retry<k> becomes <id>-retry<k+1>).
              Request/response pairs — the failed pairs' request bodies, custom_id <file>:<line>-retry1 (the \
            answers come back as a Batch log, which is read separately from pair logs; re-send them with \
            your recorder to merge).
              Response-only logs — nothing: they hold no request text (Chat/Completions responses, vLLM, \
            llama.cpp); the message says how many lines were lost.
              Files are PATH-0001.jsonl, PATH-0002.jsonl, … (a trailing .jsonl of PATH is dropped; an \
            existing directory gets retry-0001.jsonl, … inside it), each within the Batch API limits of \
            50,000 requests and 200 MB. Nothing is written when nothing is lost. Submit them, then estimate \
            with the original input and output files plus the retry input and output files together: \
            answers join by custom_id and rows by prompt content, so they fill the holes.

            EXAMPLES
              rankprobe synth --hidden 64 --vocab 2000 --samples 400 --out m.npy
              rankprobe estimate m.npy
              rankprobe estimate m.npy --format json -o m.json
              rankprobe estimate m.npy --report m.html
              rankprobe estimate run.input.jsonl run.output.jsonl --emit-retry retry
            """
    )

    @Argument(help: ArgumentHelp("Input files.", valueName: "FILE"))
    var files: [String]

    @OptionGroup var output: OutputOptions

    @Option(help: "With logs from several models: analyse only responses from this model.")
    var model: String?

    @Option(name: .customLong("protocol"), help: ArgumentHelp(
        "For logs: reconstruct every request with this protocol instead of detecting it per request.",
        valueName: "forced|biased|direct"))
    var logProtocol: String?

    @Option(help: ArgumentHelp(
        "Also write a report to PATH, in the format its extension names (.html, .md, .json, .txt).",
        valueName: "PATH"))
    var report: String?

    @Option(name: .customLong("emit-retry"), help: ArgumentHelp(
        "For logs: write the sent requests that got no usable answer as Batch API input files PATH-0001.jsonl, … (see DAMAGED LOGS AND RETRIES).",
        valueName: "PATH"))
    var emitRetry: String?

    @Flag(name: .customLong("no-hash"), help: "Skip SHA-256 hashing of the inputs (provenance in reports).")
    var noHash = false

    @Flag(help: "Always compute the exact Gram over every token column (by default a sketch of the columns is used when V ≥ 6N and its own verdict leaves a wide margin; spectrum.method and spectrum.reason say which ran).")
    var exact = false

    @Flag(help: "Always use the sketched Gram (token columns summed with random signs into 2N columns), whatever its margin: faster for wide vocabularies, less sensitive to weak directions.")
    var sketch = false

    @OptionGroup var progress: ProgressOptions

    /// Everything about the command line that can be wrong is found here, before any input is read: the
    /// parser then prints this subcommand's usage with the message.
    func validate() throws {
        if exact && sketch { throw ValidationError("--exact and --sketch exclude each other") }
        if let report, let out = output.output, report == out {
            throw ValidationError("--report and --output name the same file (\(report))")
        }
        if let logProtocol, LogProtocol(rawValue: logProtocol) == nil {
            throw ValidationError("--protocol must be forced, biased or direct (got '\(logProtocol)')")
        }
        if let report, OutputFormat(reportPath: report) == nil {
            throw ValidationError("--report \(report): unknown extension; use .html, .md, .json or .txt (the extension picks the format)")
        }
        if let out = output.output {
            try checkOutputPath(out, option: "--output")
            if output.format == .markdown { try checkOutputPath(markdownPlot(out), option: "--output (its plot)") }
        }
        if let report {
            try checkOutputPath(report, option: "--report")
            if OutputFormat(reportPath: report) == .markdown { try checkOutputPath(markdownPlot(report), option: "--report (its plot)") }
        }
        // --emit-retry is checked by the retry ledger (`RetryLedger.destination`), also before any input is
        // read: it alone knows the file names it will create (PATH-0001.jsonl, or retry-0001.jsonl inside a folder).
        try checkDistinctInputs(files)
    }

    /// The SVG a Markdown report at `path` links to.
    private func markdownPlot(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("svg").path
    }

    func run() throws {
        var options = EstimateOptions(
            model: model, logProtocol: logProtocol.flatMap(LogProtocol.init(rawValue:)), hashInputs: !noHash,
            commandLine: CommandLine.arguments, progress: progress.sink, emitRetry: emitRetry)
        options.spectrum = exact ? .exact : sketch ? .sketch : nil
        var result: EstimateResult
        do {
            try InputChecks.refuseProbabilities(paths: files)
            result = try Estimator.estimate(paths: files, options: options)
            result = try InputChecks.review(result, paths: files)
        } catch {
            throw RankProbeFailure(message: "\(error)")
        }
        try writeReport(result, format: output.format, to: output.output)
        if let report, let format = OutputFormat(reportPath: report) {
            try writeReport(result, format: format, to: report)
        }
    }
}

/// A failure with a message for the user, exit status 1, and no usage text (the input was wrong, not
/// the command line).
struct RankProbeFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
