import Foundation
import RankProbe
import RankProbeReport
import Testing

/// Renders the fixed synthetic set and compares with `Golden/`. Regenerate after an intended change with
/// `RANKPROBE_UPDATE_GOLDEN=1` and read the diff before committing. Updating never passes: a run with the
/// variable set writes the files that differ and fails with "golden updated, re-run", so the comparison only
/// counts in a run without it.
@Suite struct GoldenTests {
    static let goldenDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func compare(_ actual: String, _ name: String) throws {
        let url = goldenDir.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RANKPROBE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: goldenDir, withIntermediateDirectories: true)
            let old = try? String(contentsOf: url, encoding: .utf8)
            if old != actual { try Data(actual.utf8).write(to: url) }
            Issue.record("\(name): golden \(old == actual ? "unchanged" : "updated"), re-run without RANKPROBE_UPDATE_GOLDEN=1 to compare")
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if expected != actual {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let i = Array(zip(a, e)).firstIndex { $0 != $1 } ?? min(a.count, e.count)
            Issue.record("\(name) differs from golden at line \(i + 1):\n  got:      \(i < a.count ? String(a[i].prefix(300)) : "<end>")\n  expected: \(i < e.count ? String(e[i].prefix(300)) : "<end>")")
        }
    }

    @Test(arguments: ["ok", "insufficient", "ambiguous"])
    func singleModelReports(_ name: String) throws {
        let r = try #require(Fixtures.all.first { $0.name == name }?.result)
        try Self.compare(ReportRenderer.text(r), "\(name).txt")
        try Self.compare(ReportRenderer.markdown(r, plotFile: "\(name).svg"), "\(name).md")
        try Self.compare(ReportRenderer.html(r), "\(name).html")
        try Self.compare(SpectrumPlot().document(r, title: name), "\(name).svg")
        try Self.compare(ReportRenderer.json(r), "\(name).json")
    }

    /// The JSON report is the contract plus `parameters`: it decodes back to the same result with the estimate.
    @Test func jsonRoundTripsWithParameters() throws {
        let json = try ReportRenderer.json(Fixtures.ok)
        let decoded = try EstimateResult.jsonDecoder().decode(EstimateResult.self, from: Data(json.utf8))
        var expected = Fixtures.ok
        expected.parameters = try ParameterEstimator.estimate(hiddenSize: 384)
        #expect(decoded == expected)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let params = try #require(object["parameters"] as? [String: Any])
        #expect(params["low"] is Double && params["high"] is Double && params["nearest"] is [Any])
        // No estimate without a hidden size; the key is still there (explicit null).
        let none = try #require(try JSONSerialization.jsonObject(with: Data(try ReportRenderer.json(Fixtures.insufficient).utf8)) as? [String: Any])
        #expect(none["parameters"] is NSNull)
    }

    @Test func writeMarkdownPutsSVGNextToIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rp-md-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("my report.md").path
        let written = try ReportRenderer.write(Fixtures.ok, format: .markdown, to: out)
        #expect(written == [dir.appendingPathComponent("my report.svg").path, out])
        let md = try String(contentsOfFile: out, encoding: .utf8)
        #expect(md.contains("(my%20report.svg)"))
        let svg = try String(contentsOfFile: written[0], encoding: .utf8)
        #expect(XMLCheck.check(svg).error == nil)
    }
}
