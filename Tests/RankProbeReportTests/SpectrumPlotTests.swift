import Foundation
import RankProbe
import RankProbeReport
import Testing

@Suite struct SpectrumPlotTests {
    /// 6000 values in a 760-pixel plot: the file stays small, and the points on both sides of the cliff are
    /// drawn at their exact coordinates (the polyline contains σ_d and σ_(d+1) as consecutive points).
    @Test func downsamplingKeepsTheCliffExact() throws {
        let d = 4099
        var r = Fixtures.ok
        r.singularValues = Fixtures.spectrum(n: 6000, d: d)
        r.hiddenDim = d
        r.gap = .init(index: d, ratio: r.singularValues[d - 1] / r.singularValues[d])
        let plot = SpectrumPlot()
        let svg = plot.svg(r, title: "big")
        #expect(svg.utf8.count < 80_000, "svg is \(svg.utf8.count) bytes")
        #expect(XMLCheck.check(svg).error == nil)
        let path = try #require(svg.split(separator: "\"").first { $0.hasPrefix("M") }.map(String.init))
        let points = path.split(whereSeparator: { $0 == "M" || $0 == "L" }).map {
            $0.split(separator: " ").compactMap { Double($0) }
        }
        #expect(points.count < 3 * 760 && points.count > 700)
        // Recompute where σ_d and σ_(d+1) must be: same mapping as the plot (margins 70/24, 28/48; the index
        // axis runs to 6000 + 6000/25 so that marks at the last index stay off the frame's edge).
        let pw = 760.0 - 70 - 24, ph = 360.0 - 28 - 48
        func x(_ i: Int) -> Double { ((70 + Double(i - 1) / 6239 * pw) * 10).rounded() / 10 }
        let sv = r.singularValues
        let lo = floor(log10(sv.filter { $0 > 0 }.min()!)), top = max(ceil(log10(sv.max()!)), log10(sv.max()!) + 0.25)
        func y(_ v: Double) -> Double { ((28 + (top - log10(v)) / (top - lo) * ph) * 10).rounded() / 10 }
        let before = try #require(points.firstIndex { abs($0[0] - x(d)) < 0.051 && abs($0[1] - y(sv[d - 1])) < 0.051 })
        let after = points[before + 1]
        #expect(abs(after[0] - x(d + 1)) < 0.051 && abs(after[1] - y(sv[d])) < 0.051)
        #expect(svg.contains("d = \(d)"))
    }

    @Test func emptySpectrumSaysSo() {
        var r = Fixtures.insufficient
        r.singularValues = []
        let svg = SpectrumPlot().svg(r, title: "none")
        #expect(svg.contains("no singular values") && XMLCheck.check(svg).error == nil)
    }

    @Test func zerosAndNonFiniteDoNotBreakThePlot() {
        var r = Fixtures.ok
        r.singularValues = [10, 5, 1, 0, 0, .nan]
        r.hiddenDim = 3
        r.noiseFloor = nil
        let svg = SpectrumPlot().svg(r, title: "z")
        let (error, check) = XMLCheck.check(svg)
        #expect(error == nil)
        // Every coordinate is a finite number.
        #expect(check.attributes.allSatisfy { !$0.lowercased().contains("nan") && !$0.lowercased().contains("inf") })
    }
}
