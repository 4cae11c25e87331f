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
    /// Relative link from OUTDIR to the model's page.
    public var page: String { "models/\(slug).html" }
    public var plot: String { "models/\(slug).svg" }
}

/// The whole batch, as written to `report.json`.
public struct BatchReport: Sendable, Codable, Equatable {
    public var source: String
    public var toolVersion: String
    public var models: [BatchEntry]
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
            try out.write(BatchRenderer.modelPage(e), to: e.page)
            if let r = e.result { try out.write(SpectrumPlot().document(r, title: e.name), to: e.plot) }
            progress?("[\(i + 1)/\(manifest.models.count)] \(Markup.terminal(m.name)): \(BatchRenderer.verdictWords(e))")
            entries.append(e)
        }
        let report = BatchReport(source: manifest.source, toolVersion: RankProbeVersion.string, models: entries)
        try out.write(BatchRenderer.index(report), to: "index.html")
        try out.write(BatchRenderer.markdown(report), to: "report.md")
        try out.write(try BatchRenderer.json(report), to: "report.json")
        return report
    }
}
