import Foundation
import RankProbe

/// Minimal text and JSON rendering (the report module replaces this with the full renderers).
func render(_ result: EstimateResult, format: OutputFormat, to path: String?) throws {
    switch format {
    case .json:
        try emit(try result.jsonString(), to: path)
    default:
        var lines = ["status: \(result.status.rawValue)"]
        lines.append("hidden_dim: \(result.hiddenDim.map(String.init) ?? "—")")
        lines.append(result.message)
        lines += result.warnings.map { "warning: " + $0 }
        try emit(lines.joined(separator: "\n"), to: path)
    }
}
