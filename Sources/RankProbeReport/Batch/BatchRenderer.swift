import Foundation
import RankProbe

/// The batch outputs: `index.html` (comparison table and small-multiple spectra), `report.md`, `report.json`,
/// and one page per model. Input strings go through `Markup.escape` / `Markup.markdown` like everywhere else.
public enum BatchRenderer {
    static func verdictWords(_ e: BatchEntry) -> String {
        guard let r = e.result else { return "failed" }
        switch r.status {
        case .ok: return "d = \(r.hiddenDim.map(String.init) ?? "?") (\(r.confidence))"
        case .insufficient: return "not enough data" + (r.lowerBound.map { " (d ≥ \($0))" } ?? "")
        case .ambiguous: return "ambiguous: " + r.candidates.map { String($0.dim) }.joined(separator: " or ")
        }
    }

    static func mark(_ e: BatchEntry) -> (symbol: String, words: String, cls: String)? {
        guard let expected = e.expectedHiddenSize, let outcome = e.outcome ?? e.judged else { return nil }
        switch outcome {
        case .right: return ("✓", "right (expected \(expected))", "right")
        case .wrong: return ("✗", "wrong (expected \(expected))", "wrong")
        case .undecided: return ("?", "undecided: no number given (expected \(expected))", "undecided")
        case .failed: return ("–", "failed (expected \(expected))", "wrong")
        }
    }

    static func context(_ e: BatchEntry) -> [ReportContent.Row] {
        var rows: [ReportContent.Row] = []
        if let m = mark(e) { rows.append(.init("Expected hidden size", "\(m.symbol) \(m.words)")) }
        if let n = e.notes { rows.append(.init("Notes", n)) }
        return rows
    }

    /// A model's own page: the full one-model report, or the error for a failed model.
    public static func modelPage(_ e: BatchEntry) -> String {
        if let r = e.result { return ReportRenderer.html(r, title: e.name, context: context(e), backLink: "../index.html") }
        let x = Markup.escape
        var b = "<p><a href=\"../index.html\">← all models</a></p>\n<h1>rankprobe: \(x(e.name))</h1>\n"
        b += "<p class=\"verdict status-failed\"><strong>Failed.</strong> \(x(e.error ?? "unknown error"))</p>\n"
        b += ReportRenderer.keyValueTable(context(e))
        b += "<h2>Inputs</h2>\n<ul>\n" + e.inputs.map { "<li class=\"mono\">\(x($0))</li>\n" }.joined() + "</ul>\n"
        return HTMLPage.wrap(title: "rankprobe: " + e.name, body: b)
    }

    public static func index(_ report: BatchReport) -> String {
        let x = Markup.escape
        let n = report.models.count
        let withTruth = report.models.filter { $0.expectedHiddenSize != nil }
        var b = "<h1>rankprobe: \(n) model\(n == 1 ? "" : "s")</h1>\n"
        // A wrong number is the worst outcome: it colours the banner like a failure.
        let bad = report.failedCount > 0 || report.models.contains { $0.outcome == .wrong }
        b += "<p class=\"verdict status-\(bad ? "failed" : "ok")\">\(x(summaryLine(report)))</p>\n"
        b += "<h2>Comparison</h2>\n<div class=\"scroll\"><table>\n<tr><th>Model</th><th>Verdict</th><th>Hidden size</th>"
        if !withTruth.isEmpty { b += "<th>Expected</th>" }
        b += "<th>Confidence</th><th>Samples</th><th>Columns</th><th>Output bias</th><th>Parameters (dense)</th><th>Notes</th></tr>\n"
        for e in report.models {
            let r = e.result
            b += "<tr><td><a href=\"\(x(e.page))\">\(x(e.name))</a></td>"
            b += "<td>\(x(r.map { ReportContent.statusWords($0.status) } ?? "failed"))</td>"
            b += "<td class=\"num\">\(x(hiddenCell(e)))</td>"
            if !withTruth.isEmpty {
                if let m = mark(e) {
                    b += "<td class=\"\(m.cls)\" title=\"\(x(m.words))\">\(m.symbol) \(e.expectedHiddenSize!)</td>"
                } else { b += "<td class=\"muted\">—</td>" }
            }
            b += "<td>\(x(r?.confidence ?? "—"))</td>"
            b += "<td class=\"num\">\(r.map { Formatting.integer($0.samples) } ?? "—")</td>"
            b += "<td class=\"num\">\(r.map { Formatting.integer($0.columns) } ?? "—")</td>"
            b += "<td>\(r.map { $0.outputBias.map { $0 ? "yes" : "no" } ?? "not tested" } ?? "—")</td>"
            b += "<td>\(x(r?.parameters.map { "\(Formatting.count($0.low)) – \(Formatting.count($0.high))" } ?? "—"))</td>"
            b += "<td class=\"error\">\(x(e.error ?? e.notes ?? ""))</td></tr>\n"
        }
        b += "</table></div>\n<h2>Spectra</h2>\n<div class=\"grid\">\n"
        for e in report.models {
            b += "<div class=\"cell\"><h3><a href=\"\(x(e.page))\">\(x(e.name))</a></h3>\n"
            if let r = e.result {
                b += SpectrumPlot(width: 288, height: 150, compact: true).svg(r, title: e.name) + "\n"
                b += "<p class=\"muted\">\(x(verdictWords(e)))\(mark(e).map { " · " + $0.symbol + " " + $0.words } .map(x) ?? "")</p>"
            } else {
                b += "<p class=\"wrong\">Failed: \(x(e.error ?? "unknown error"))</p>"
            }
            b += "</div>\n"
        }
        b += "</div>\n"
        if !report.skippedFiles.isEmpty {
            b += "<h2>Skipped files</h2>\n<p>Not model inputs (.npy dumps or JSON/JSONL logs), so not run:</p>\n<ul>\n"
                + skippedList(report).map { "<li class=\"mono\">\(x($0))</li>\n" }.joined() + "</ul>\n"
        }
        b += "<h2>Provenance</h2>\n<p>Models from <code>\(x(report.source))</code>; rankprobe \(x(report.toolVersion)). "
            + "Machine-readable: <a href=\"report.json\">report.json</a>; text: <a href=\"report.md\">report.md</a>.</p>\n"
        return HTMLPage.wrap(title: "rankprobe: \(n) models", body: b)
    }

    static func hiddenCell(_ e: BatchEntry) -> String {
        guard let r = e.result else { return "—" }
        switch r.status {
        case .ok: return r.hiddenDim.map(String.init) ?? "—"
        case .insufficient: return r.lowerBound.map { "≥ \($0)" } ?? "—"
        case .ambiguous: return r.candidates.map { String($0.dim) }.joined(separator: " or ")
        }
    }

    static func summaryLine(_ report: BatchReport) -> String {
        let n = report.models.count
        let ok = report.models.filter { $0.result?.status == .ok }.count
        var s = "\(n) model\(n == 1 ? "" : "s"): \(ok) with a hidden size, \(report.failedCount) failed"
        let truth = report.models.filter { $0.expectedHiddenSize != nil }
        if !truth.isEmpty {
            func count(_ o: BatchEntry.Outcome) -> Int { truth.filter { ($0.outcome ?? $0.judged) == o }.count }
            s += "; \(count(.right)) of \(truth.count) right, \(count(.wrong)) wrong, \(count(.undecided)) undecided"
            if count(.failed) > 0 { s += ", \(count(.failed)) failed" }
            s += " where the size is known"
        }
        if !report.skippedFiles.isEmpty {
            let k = report.skippedFiles.count
            s += "; skipped " + (k == 1 ? "1 file that is not a model input" : "\(k) files that are not model inputs")
        }
        return s + "."
    }

    /// The skipped non-input files, relative to the scanned folder where possible.
    static func skippedList(_ report: BatchReport) -> [String] {
        let bases = [report.source, URL(fileURLWithPath: report.source).standardizedFileURL.path].map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        return report.skippedFiles.map { file in
            bases.first { file.hasPrefix($0) }.map { String(file.dropFirst($0.count)) } ?? file
        }
    }

    public static func markdown(_ report: BatchReport) -> String {
        let m = Markup.markdown
        var o = "# rankprobe: \(report.models.count) models\n\n\(m(summaryLine(report)))\n\n"
        let withTruth = report.models.contains { $0.expectedHiddenSize != nil }
        var header = ["Model", "Verdict", "Hidden size"]
        if withTruth { header.append("Expected") }
        header += ["Confidence", "Samples", "Parameters (dense)", "Notes"]
        o += ReportRenderer.table(header, report.models.map { e in
            var row = ["[\(m(e.name))](\(ReportRenderer.linkTarget(e.page)))", m(e.result.map { ReportContent.statusWords($0.status) } ?? "failed"), m(hiddenCell(e))]
            if withTruth { row.append(mark(e).map { m("\($0.symbol) \(e.expectedHiddenSize!)") } ?? "—") }
            row += [m(e.result?.confidence ?? "—"), e.result.map { Formatting.integer($0.samples) } ?? "—",
                    m(e.result?.parameters.map { "\(Formatting.count($0.low)) – \(Formatting.count($0.high))" } ?? "—"),
                    m(e.error ?? e.notes ?? "")]
            return row
        })
        o += "\n## Spectra\n\n"
        for e in report.models where !e.failed {
            o += "### \(m(e.name))\n\n![Singular values of \(m(e.name))](\(ReportRenderer.linkTarget(e.plot)))\n\n"
        }
        if !report.skippedFiles.isEmpty {
            o += "## Skipped files\n\nNot model inputs, so not run:\n\n" + skippedList(report).map { "- " + m($0) + "\n" }.joined() + "\n"
        }
        o += "Models from \(m(report.source)); rankprobe \(m(report.toolVersion)).\n"
        return o
    }

    public static func json(_ report: BatchReport) throws -> String {
        String(decoding: try EstimateResult.jsonEncoder().encode(report), as: UTF8.self) + "\n"
    }
}
