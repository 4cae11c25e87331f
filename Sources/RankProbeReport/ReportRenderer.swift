import Foundation
import RankProbe

/// Output formats of a one-model report.
public enum ReportFormat: String, CaseIterable, Sendable {
    case text, json, markdown, html
}

/// Renders one `EstimateResult`. Every entry point runs `ReportPreparation.prepare` first, so the parameter
/// estimate appears in every format, JSON included.
public enum ReportRenderer {
    public static func render(_ r: EstimateResult, format: ReportFormat, title: String? = nil, plotFile: String? = nil) throws -> String {
        switch format {
        case .text: return text(r, title: title)
        case .json: return try json(r)
        case .markdown: return markdown(r, title: title, plotFile: plotFile)
        case .html: return html(r, title: title)
        }
    }

    /// The JSON contract (`EstimateResult.jsonEncoder`) with `parameters` filled.
    public static func json(_ r: EstimateResult) throws -> String {
        try ReportPreparation.prepare(r).jsonString(pretty: true) + "\n"
    }

    /// Writes a report. With no path: the report goes to stdout (Markdown without its plot, which needs a file
    /// next to it). With a path: the file, and for Markdown the SVG plot next to it (same name, `.svg`).
    /// Returns the files written.
    @discardableResult
    public static func write(_ r: EstimateResult, format: ReportFormat, to path: String?, title: String? = nil) throws -> [String] {
        guard let path else {
            let body = try render(r, format: format, title: title)
            FileHandle.standardOutput.write(Data(body.utf8))
            return []
        }
        let url = URL(fileURLWithPath: path)
        var written: [String] = []
        var plotFile: String? = nil
        if format == .markdown {
            let svgURL = url.deletingPathExtension().appendingPathExtension("svg")
            guard svgURL.path != url.path else { throw ReportError("\(path): the Markdown report needs a name that is not .svg") }
            let content = ReportContent(ReportPreparation.prepare(r), title: title)
            try writeFile(SpectrumPlot().document(r, title: content.title), to: svgURL)
            written.append(svgURL.path)
            plotFile = svgURL.lastPathComponent
        }
        try writeFile(try render(r, format: format, title: title, plotFile: plotFile), to: url)
        written.append(url.path)
        return written
    }

    static func writeFile(_ text: String, to url: URL) throws {
        do { try Data(text.utf8).write(to: url, options: .atomic) } catch {
            throw ReportError("\(url.path): cannot write: \(error.localizedDescription)")
        }
    }
}
