import Foundation
import RankProbe

/// One model's outcome in a batch.
public struct BatchEntry: Sendable, Codable, Equatable {
    public var name: String
    public var slug: String
    public var inputs: [String]
    public var expectedHiddenSize: Int?
    public var notes: String?
    /// nil when the model failed (see `error`).
    public var result: EstimateResult?
    public var error: String?
    /// With an expected size: whether the verdict is `ok` with exactly that size (no verdict counts as not right).
    public var correct: Bool?

    public var failed: Bool { result == nil }

    /// With an expected size, one of four outcomes, counted apart: a wrong number is not the same failure
    /// as an honest "ambiguous" or "insufficient".
    public enum Outcome: String, Sendable, Codable, Equatable {
        /// `ok` with the expected size.
        case right
        /// `ok` with another size: the worst output.
        case wrong
        /// `ambiguous` or `insufficient`: no number given.
        case undecided
        /// The model could not be read or run.
        case failed
    }

    /// nil without an expected size; set by the runner (and in `report.json`).
    public var outcome: Outcome?

    /// The outcome from the verdict and the expected size.
    public var judged: Outcome? {
        guard expectedHiddenSize != nil else { return nil }
        guard let r = result else { return .failed }
        if r.status == .ok { return correct == true ? .right : .wrong }
        return .undecided
    }
    /// Relative link from OUTDIR to the model's page.
    public var page: String { "models/\(slug).html" }
    public var plot: String { "models/\(slug).svg" }
}

/// The whole batch, as written to `report.json`.
public struct BatchReport: Sendable, Codable, Equatable {
    public var source: String
    public var toolVersion: String
    public var models: [BatchEntry]
    /// Files of a scanned directory that are not inputs (NOTES.txt, README.md, …): skipped, listed here.
    public var skippedFiles: [String] = []
    public var failedCount: Int { models.filter(\.failed).count }
}

/// Runs the models one after another and writes OUTDIR.
///
/// Models run strictly in sequence and only the small result (spectrum, verdict, provenance) is kept per model,
/// so memory is bounded by the largest single model, not by the batch. A model that throws is recorded as
/// failed with its error text and the batch goes on.
public struct BatchRunner: Sendable {
    public typealias Estimate = @Sendable (_ inputs: [String]) throws -> EstimateResult
    public var estimate: Estimate
    public var progress: (@Sendable (String) -> Void)?

    public init(estimate: @escaping Estimate, progress: (@Sendable (String) -> Void)? = nil) {
        self.estimate = estimate; self.progress = progress
    }

    public func run(_ manifest: BatchManifest, outDir: String) throws -> BatchReport {
        let out = try OutputDirectory(outDir)
        let slugs = OutputDirectory.uniqueSlugs(manifest.models.map(\.name))
        var entries: [BatchEntry] = []
        for (i, m) in manifest.models.enumerated() {
            progress?("[\(i + 1)/\(manifest.models.count)] \(Markup.terminal(m.name)) …")
            var e = BatchEntry(name: m.name, slug: slugs[i], inputs: m.inputs, expectedHiddenSize: m.hiddenSize, notes: m.notes)
            if let why = OutputDirectory.refusal(forName: m.name) {
                e.error = why
            } else if m.inputs.isEmpty {
                e.error = "no input files"
            } else {
                do {
                    let r = ReportPreparation.prepare(try estimate(m.inputs))
                    e.result = r
                    if let expected = m.hiddenSize { e.correct = r.status == .ok && r.hiddenDim == expected }
                } catch {
                    e.error = "\(error)"
                }
            }
            if e.failed {
                e.correct = m.hiddenSize == nil ? nil : false
            }
            e.outcome = e.judged
            try out.write(BatchRenderer.modelPage(e), to: e.page)
            if let r = e.result { try out.write(SpectrumPlot().document(r, title: e.name), to: e.plot) }
            progress?("[\(i + 1)/\(manifest.models.count)] \(Markup.terminal(m.name)): \(BatchRenderer.verdictWords(e))")
            entries.append(e)
        }
        let report = BatchReport(source: manifest.source, toolVersion: RankProbeVersion.string, models: entries,
                                 skippedFiles: manifest.skippedFiles)
        try out.write(BatchRenderer.index(report), to: "index.html")
        try out.write(BatchRenderer.markdown(report), to: "report.md")
        try out.write(try BatchRenderer.json(report), to: "report.json")
        return report
    }
}
