import Foundation
import RankProbe
import RankProbeParameters

/// What a one-model report says, independent of the format: the text, Markdown and HTML renderers all print
/// this, so the three cannot drift apart. Values are plain (unescaped) text; each renderer escapes on output.
public struct ReportContent: Sendable {
    public struct Row: Sendable, Equatable {
        public var label: String
        public var value: String
        public init(_ label: String, _ value: String) { self.label = label; self.value = value }
    }

    public struct ParameterSection: Sendable {
        public var range: String
        public var gpu: String
        public var method: String
        public var nearest: [EstimateResult.NearestModel]
        public var memory: [Row]
        public var caveats: [String]
    }

    public var title: String
    public var status: EstimateResult.Status
    /// The verdict sentence in full (the text report's first line).
    public var headline: String
    /// The banner of the HTML and Markdown reports: a bold title ("Hidden size 384", "Ambiguous") and the
    /// verdict sentence without the words the title already says.
    public var bannerTitle: String
    public var bannerText: String
    public var summary: [Row]
    /// Extra facts from outside the result (batch: expected hidden size, notes).
    public var context: [Row]
    public var warnings: [String]
    public var parameters: ParameterSection?
    public var inputs: [EstimateResult.InputFile]
    public var ingest: [Row]
    public var ingestNotes: [String]
    public var timings: [Row]
    public var toolVersion: String
    public var commandLine: String

    /// - Parameters:
    ///   - title: the model's name; defaults to the model recorded in the logs, else the first input's name.
    public init(_ r: EstimateResult, title: String? = nil, context: [Row] = []) {
        self.title = title ?? ReportContent.defaultTitle(r)
        status = r.status
        headline = r.message.isEmpty ? ReportContent.defaultHeadline(r) : r.message.capitalizedFirst
        if r.status == .ok, let d = r.hiddenDim {
            bannerTitle = "Hidden size \(d)"
        } else {
            bannerTitle = ReportContent.statusWords(r.status).capitalizedFirst
        }
        bannerText = r.message.isEmpty ? ReportContent.defaultHeadline(r) : ReportContent.withoutStatusPrefix(r.message, hiddenDim: r.hiddenDim)
        self.context = context
        warnings = r.warnings.map(Formatting.shortenFloats)
        inputs = r.inputs
        toolVersion = r.toolVersion
        commandLine = r.commandLine.isEmpty ? "(not recorded)" : Formatting.commandLine(r.commandLine)

        var s: [Row] = [Row("Verdict", ReportContent.statusWords(r.status))]
        switch r.status {
        case .ok: s.append(Row("Hidden size", r.hiddenDim.map { String($0) } ?? "—"))
        case .ambiguous:
            let dims = r.candidates.map { String($0.dim) }
            let lower = r.lowerBound.map { "; at least \($0)" } ?? ""
            switch dims.count {
            case 0: s.append(Row("Hidden size", "undetermined" + lower))
            case 1: s.append(Row("Hidden size", "possibly \(dims[0]), not established" + lower))
            default: s.append(Row("Hidden size", "one of " + dims.joined(separator: ", ") + lower))
            }
        case .insufficient:
            s.append(Row("Hidden size", r.lowerBound.map { "at least \($0) (not enough samples to see the cliff)" } ?? "undetermined"))
        }
        s.append(Row("Confidence", r.confidence))
        let bias: String
        switch r.outputBias {
        case .some(true): bias = "yes — the outputs carry a fixed offset outside the model's span"
        case .some(false): bias = "no"
        case .none: bias = "not tested"
        }
        s.append(Row("Output bias", bias + (r.biasTest.map { " (residual \(Formatting.sci($0.residual)))" } ?? "")))
        s.append(Row("Samples (prompts)", Formatting.integer(r.samples)
            + (r.suggestedSamples.map { "; collect about \(Formatting.integer($0)) in total" } ?? "")))
        s.append(Row("Columns (tokens)", Formatting.integer(r.columns)
            + (r.columnsDropped > 0 ? " (\(Formatting.integer(r.columnsDropped)) dropped: -inf or NaN in some sample)" : "")))
        if let g = r.gap {
            // A value after the cliff below the float64 Gram's precision limit is rounding, not data: the
            // ratio as computed is shown with the drop that is certain (down to the limit).
            var cliff = "σ\(g.index) / σ\(g.index + 1) = \(Formatting.sci(g.ratio))"
            if ReportContent.cliffAtPrecisionLimit(r), let limit = r.numericalFloor, g.index >= 1 {
                // σ_(d+1) as computed is rounding: the drop is certain only down to the limit.
                cliff += " as computed; σ\(g.index + 1) is below the float64 precision limit (\(Formatting.sci(limit))), so only a drop of ×\(Formatting.sci(r.singularValues[g.index - 1] / limit)) or more is certain"
            }
            s.append(Row("Cliff", cliff))
        }
        if r.status == .ambiguous, !r.candidates.isEmpty {
            s.append(Row("Candidates", r.candidates.map { "\($0.dim) (ratio \(Formatting.sci($0.ratio)))" }.joined(separator: ", ")))
        }
        if let nf = r.noiseFloor { s.append(Row("Noise floor", Formatting.sci(nf))) }
        if r.dominantDirections > 0 { s.append(Row("Dominant early directions", String(r.dominantDirections))) }
        summary = s

        if let p = r.parameters {
            let memory = ParameterEstimator.precisions.compactMap { prec -> Row? in
                guard let m = p.memoryBytes[prec.name], m.count == 2 else { return nil }
                return Row(prec.name, "\(Formatting.bytes(m[0])) – \(Formatting.bytes(m[1]))")
            }
            parameters = ParameterSection(
                range: "\(Formatting.count(p.low)) – \(Formatting.count(p.high)) parameters if the model is a dense transformer",
                gpu: ParameterEstimator.gpuSentence(p), method: p.method, nearest: p.nearest, memory: memory, caveats: p.caveats)
        } else {
            parameters = nil
        }

        var ing: [Row] = []
        var notes: [String] = []
        if let i = r.input {
            if let m = i.model { ing.append(Row("Model (from logs)", m)) }
            ing.append(Row("Formats", i.formats.isEmpty ? "—" : i.formats.joined(separator: ", ")))
            if !i.protocols.isEmpty {
                ing.append(Row("Protocols", i.protocols.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value) rows" }.joined(separator: ", ")))
            }
            let skipped = i.skipped.values.reduce(0, +)
            ing.append(Row("Lines read", "\(Formatting.integer(i.requestsRead)) (\(Formatting.integer(i.requestsRead - skipped)) used, \(Formatting.integer(skipped)) skipped, \(Formatting.integer(i.requestsFailed)) failed requests)"))
            for (reason, count) in i.skipped.sorted(by: { $0.key < $1.key }) {
                ing.append(Row("Skipped: " + reason, Formatting.integer(count)))
            }
            ing.append(Row("Rows kept", "\(Formatting.integer(i.rowsKept)) of \(Formatting.integer(i.rowsSeen))"))
            ing.append(Row("Columns kept", "\(Formatting.integer(i.columnsKept)) of \(Formatting.integer(i.columnsSeen))"))
            if let sn = i.servingNoise { ing.append(Row("Serving noise", Formatting.sci(sn) + " nats (median spread of repeats)")) }
            notes = i.notes.map(Formatting.shortenFloats)
        }
        ingest = ing
        ingestNotes = notes
        timings = [Row("Load", Formatting.seconds(r.seconds.load)), Row("Spectrum", Formatting.seconds(r.seconds.spectrum)),
                   Row("Total", Formatting.seconds(r.seconds.total))]
    }

    /// The detector's message starts with its status ("ambiguous: …", "insufficient data: …"); the
    /// reports print the status in words just before it, so the prefix would repeat it.
    static func withoutStatusPrefix(_ message: String, hiddenDim: Int? = nil) -> String {
        var prefixes = ["ambiguous: ", "insufficient data: "]
        if let d = hiddenDim { prefixes.append("hidden size \(d): ") }
        for prefix in prefixes where message.lowercased().hasPrefix(prefix) {
            return String(message.dropFirst(prefix.count)).capitalizedFirst
        }
        return message.capitalizedFirst
    }

    /// Whether σ_(d+1), the first value after the reported cliff, lies at or below the float64 Gram's
    /// precision limit (then σ_d/σ_(d+1) is only a lower bound on the drop).
    static func cliffAtPrecisionLimit(_ r: EstimateResult) -> Bool {
        guard let g = r.gap, let limit = r.numericalFloor, limit > 0, g.index < r.singularValues.count else { return false }
        return r.singularValues[g.index] <= limit
    }

    public static func statusWords(_ s: EstimateResult.Status) -> String {
        switch s {
        case .ok: return "hidden size found"
        case .insufficient: return "not enough data"
        case .ambiguous: return "ambiguous"
        }
    }

    static func defaultTitle(_ r: EstimateResult) -> String {
        if let m = r.input?.model, !m.isEmpty { return m }
        if let f = r.inputs.first { return (f.path as NSString).lastPathComponent }
        return "model"
    }

    static func defaultHeadline(_ r: EstimateResult) -> String {
        switch r.status {
        case .ok: return "The hidden size is \(r.hiddenDim.map(String.init) ?? "?")."
        case .insufficient: return "Not enough samples to see the cliff."
        case .ambiguous: return "The spectrum supports more than one hidden size."
        }
    }
}

/// What every renderer runs first: a result read back from JSON may lack the parameter estimate (results
/// from `Estimator` already carry it), and every format shows one.
public enum ReportPreparation {
    /// The result with one warnings list (`EstimateResult.gatheringWarnings`) and `parameters` filled
    /// (`EstimateResult.withParameterEstimate`, computed in `RankProbeParameters`); the report layer itself
    /// only renders.
    public static func prepare(_ r: EstimateResult) -> EstimateResult { r.gatheringWarnings().withParameterEstimate() }
}
