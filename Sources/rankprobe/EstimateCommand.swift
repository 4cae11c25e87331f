import ArgumentParser
import Foundation
import RankProbe
import RankProbeLogs

struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Estimate the hidden size from recorded outputs.",
        discussion: """
            FILE... are either full-vocabulary dumps (.npy, one row per prompt, one column per token; float16,
            float32 or float64; log-probabilities or raw logits) stacked as rows, or recorded API traffic
            (OpenAI Chat/Completions responses, Batch API input + output files, request/response logs, vLLM,
            llama.cpp; .gz accepted). Do not mix the two kinds in one run.

            The verdict is one of:
              ok            the singular values fall off a cliff onto a flat noise floor: hidden_dim is the
                            number above it (output_bias says whether a constant offset was also found);
              ambiguous     more than one credible cliff, or one barely above the noise: see candidates;
              insufficient  no cliff — fewer samples (or token columns) than the hidden size, or noise:
                            lower_bound and how much more to collect.
            Every verdict exits 0; unreadable or malformed input exits non-zero with a message naming the
            file and the problem.

            Columns holding -inf or NaN in some sample are dropped (and counted); samples that are mostly
            non-finite are dropped first.

            DAMAGED LOGS AND RETRIES (--emit-retry PATH)
            Missing log-probabilities are never imputed: the largest complete prompts × tokens block is kept.
            With one request per (prompt, token) cell (the forced-token protocol), 1% of lost lines leaves
            holes in nearly every row and column, so the only repair is to ask those requests again.
            input.requests_retryable counts the sent requests without a usable answer, and
            --emit-retry PATH writes them as OpenAI Batch API input files:
              Batch input + output files  every input line whose custom_id has no output line, only
                                          unreadable ones, or only failed ones (error set, status ≠ 200),
                                          copied byte for byte with custom_id <id>-retry1 (a request already
                                          named <id>-retry<k> becomes <id>-retry<k+1>);
              request/response pairs      the failed pairs' request bodies, custom_id <file>:<line>-retry1
                                          (the answers come back as a Batch log, which is read separately
                                          from pair logs; re-send them with your recorder to merge);
              response-only logs          nothing: they hold no request text (Chat/Completions responses,
                                          vLLM, llama.cpp); the message says how many lines were lost.
            Files are PATH-0001.jsonl, PATH-0002.jsonl, … (a trailing .jsonl of PATH is dropped; an existing
            directory gets retry-0001.jsonl, … inside it), each within the Batch API limits of 50,000
            requests and 200 MB. Nothing is written when nothing is lost. Submit them, then estimate with the
            original input and output files plus the retry input and output files together: answers join by
            custom_id and rows by prompt content, so they fill the holes. A PATH that cannot be written is
            an error before any input is read.
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

    func validate() throws {
        if exact && sketch { throw ValidationError("--exact and --sketch exclude each other") }
        if let report, let out = output.output, report == out {
            throw ValidationError("--report and --output name the same file (\(report))")
        }
    }

    func run() throws {
        var proto: LogProtocol? = nil
        if let logProtocol {
            guard let p = LogProtocol(rawValue: logProtocol) else {
                throw ValidationError("--protocol must be forced, biased or direct (got '\(logProtocol)')")
            }
            proto = p
        }
        var options = EstimateOptions(
            model: model, logProtocol: proto, hashInputs: !noHash, commandLine: CommandLine.arguments,
            progress: { progressLine($0) }, emitRetry: emitRetry)
        options.spectrum = exact ? .exact : sketch ? .sketch : nil
        let result: EstimateResult
        do {
            result = try Estimator.estimate(paths: files, options: options)
        } catch {
            throw RankProbeFailure(message: "\(error)")
        }
        try writeReport(result, format: output.format, to: output.output)
        if let report {
            let format: OutputFormat
            switch URL(fileURLWithPath: report).pathExtension.lowercased() {
            case "html", "htm": format = .html
            case "md", "markdown": format = .markdown
            case "json": format = .json
            default: format = .text
            }
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
