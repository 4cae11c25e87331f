import ArgumentParser
import Foundation
import RankProbe
import RankProbeReport

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Estimate many models and write a comparison report.",
        discussion: """
            MANIFEST is JSON or YAML (.yaml/.yml): {"models": [{"name": "...", "inputs": ["path", ...], \
            "hidden_size": 4096, "notes": "..."}]} with input paths relative to the manifest. hidden_size \
            (the known answer, if any) and notes are optional; with hidden_size each verdict is counted as \
            right, wrong (an ok verdict with another size) or undecided (ambiguous or insufficient). Any \
            other key is refused, with the nearest known key suggested; YAML errors name line and column.

            A DIRECTORY instead means one model per input file or per sub-folder (the input files in it). \
            Input files are .npy dumps and logs (.jsonl, .json, .ndjson, .log, each optionally .gz); other \
            files (NOTES.txt, README.md, …) are skipped and listed.

            Writes OUTDIR/index.html (comparison table, small-multiple spectra, links), OUTDIR/report.md, \
            OUTDIR/report.json and OUTDIR/models/<name>.html (+ .svg). Nothing is written outside OUTDIR: \
            file names are slugs of the model names, and a name that reads as a path out of it ("../x", \
            "/abs") is refused and shown as failed. Models run one after another; one that fails does not \
            stop the rest. Exit status 1 if any model failed.

            EXAMPLES
              rankprobe batch models/ --out report
              rankprobe batch manifest.yaml --out report
            """
    )

    @Argument(help: ArgumentHelp("A manifest file or a directory of model inputs.", valueName: "MANIFEST|DIR"))
    var source: String

    @Option(name: .long, help: ArgumentHelp("Output directory (created if missing).", valueName: "OUTDIR"))
    var out: String

    @Flag(name: .customLong("no-hash"), help: "Skip SHA-256 hashing of the inputs.")
    var noHash = false

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let manifest: BatchManifest
        do { manifest = try BatchManifest.load(path: source) } catch { throw RankProbeFailure(message: "\(error)") }
        let hash = !noHash
        let commandLine = CommandLine.arguments
        let runner = BatchRunner(
            estimate: { inputs in
                // The same mistakes `estimate` recognises make a model fail with their name, not a verdict.
                try InputChecks.refuseProbabilities(paths: inputs)
                let result = try Estimator.estimate(paths: inputs, options: EstimateOptions(hashInputs: hash, commandLine: commandLine))
                return try InputChecks.review(result, paths: inputs)
            },
            progress: progress.sink)
        let report: BatchReport
        do { report = try runner.run(manifest, outDir: out) } catch { throw RankProbeFailure(message: "\(error)") }
        let index = URL(fileURLWithPath: out).appendingPathComponent("index.html").standardizedFileURL.path
        let failed = report.models.filter(\.failed)
        let n = report.models.count
        print("\(n) model\(n == 1 ? "" : "s"), \(failed.count) failed; report: \(index)")
        for file in report.skippedFiles {
            FileHandle.standardError.write(Data("rankprobe: skipped \(Markup.terminal(file)): not a model input (.npy dump or JSON/JSONL log)\n".utf8))
        }
        for f in failed { FileHandle.standardError.write(Data("rankprobe: \(Markup.terminal(f.name)): \(Markup.terminal(f.error ?? "failed"))\n".utf8)) }
        if !failed.isEmpty { throw ExitCode(1) }
    }
}
