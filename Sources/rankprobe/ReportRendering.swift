import Foundation
import RankProbe
import RankProbeReport

extension OutputFormat {
    var reportFormat: ReportFormat {
        switch self {
        case .text: return .text
        case .json: return .json
        case .markdown: return .markdown
        case .html: return .html
        }
    }
}

/// Renders one result in the chosen format (the report module fills the parameter estimate) and writes it:
/// to standard output without a path; to PATH otherwise — for Markdown also the spectrum plot as PATH's name
/// with `.svg` next to it. When files are written, says where on standard error, so a demo run ends by naming
/// its report.
func writeReport(_ result: EstimateResult, format: OutputFormat, to path: String?, title: String? = nil) throws {
    let written: [String]
    do {
        written = try ReportRenderer.write(result, format: format.reportFormat, to: path, title: title)
    } catch {
        throw RankProbeFailure(message: "\(error)")
    }
    for file in written {
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        FileHandle.standardError.write(Data("rankprobe: wrote \(absolute)\n".utf8))
    }
}
