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

    @Flag(name: .customLong("no-hash"), help: "Skip SHA-256 hashing of the inputs (provenance in reports).")
    var noHash = false

    func validate() throws {
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
        let options = EstimateOptions(
            model: model, logProtocol: proto, hashInputs: !noHash, commandLine: CommandLine.arguments,
            progress: { progressLine($0) })
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
