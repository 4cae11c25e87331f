import Foundation
import RankProbe

/// The singular-value plot as SVG, written by hand.
///
/// Why by hand: the plot is a polyline, a few reference lines and labels; a charting dependency would add
/// weight and network-loaded assets, and the HTML report must be one self-contained file. Every label that can
/// carry input text goes through `Markup.escape`.
///
/// Downsampling: spectra have up to a few thousand points but the plot is a few hundred pixels wide. Each
/// pixel column keeps its first, smallest and largest value (so the envelope is exact), and the points that
/// carry the verdict — the last value above the cliff and the first below it, each candidate's pair, the
/// dominant leading values, the first and last — are always kept, so the cliff is drawn at its exact index.
public struct SpectrumPlot: Sendable {
    public var width: Double = 760
    public var height: Double = 360
    /// Compact plots (batch small multiples): no axis titles, fewer ticks, thinner marks.
    public var compact = false

    public init(width: Double = 760, height: Double = 360, compact: Bool = false) {
        self.width = width; self.height = height; self.compact = compact
    }

    /// A standalone SVG document (for the Markdown report's side file).
    public func document(_ r: EstimateResult, title: String) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg(r, title: title, standalone: true) + "\n"
    }

    /// An `<svg>` element for inline use in HTML (XML-compatible).
    public func svg(_ r: EstimateResult, title: String, standalone: Bool = false) -> String {
        // Compact plots keep tick labels at 10 px (legible in a 288-px small multiple): margins sized for them.
        let ml: Double = compact ? 40 : 70, mr: Double = compact ? 10 : 24
        let mt: Double = compact ? 8 : 28, mb: Double = compact ? 22 : 48
        let pw = width - ml - mr, ph = height - mt - mb
        var o = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" "
            + "height=\"\(n(height))\" role=\"img\" aria-label=\"\(Markup.escape("Singular values of " + title))\" "
            + "font-family=\"sans-serif\" font-size=\"\(compact ? 10 : 12)\">"
        o += "<title>\(Markup.escape("Singular values: " + title))</title>"
        if standalone { o += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#ffffff\"/>" }
        let sv = r.singularValues
        let positive = sv.filter { $0 > 0 && $0.isFinite }
        guard let maxV = positive.max(), let minPos = positive.min() else {
            o += "<text x=\"\(n(width / 2))\" y=\"\(n(height / 2))\" text-anchor=\"middle\" fill=\"#555555\">no singular values to plot</text></svg>"
            return o
        }
        // y: log10 over whole decades; a floor at 1e-16 of the top keeps exact zeros from flattening the plot.
        let floorV = max(minPos, maxV * 1e-16)
        let lo = Foundation.floor(log10(floorV)), hi = Foundation.ceil(log10(maxV))
        // Headroom above the largest value so the first (dominant) points do not sit on the frame.
        let top = max(hi > lo ? hi : lo + 1, log10(maxV) + 0.25)
        let count = sv.count
        // The index axis runs a little past the last value, so a mark at the last index (a lower bound equal
        // to the number of values) stands inside the frame instead of on its edge.
        let xEnd = Double(count) + max(1, Double(count) / 25)
        func x(_ i: Double) -> Double { ml + (count > 1 ? (i - 1) / (xEnd - 1) : 0.5) * pw }
        func y(_ v: Double) -> Double {
            let lv = v > 0 && v.isFinite ? max(log10(v), lo) : lo
            return mt + (top - lv) / (top - lo) * ph
        }
        // Frame and grid.
        o += "<rect x=\"\(n(ml))\" y=\"\(n(mt))\" width=\"\(n(pw))\" height=\"\(n(ph))\" fill=\"#fbfbfd\" stroke=\"#888888\" stroke-width=\"1\"/>"
        let decades = Int(top - lo)
        let decadeStep = max(1, Int((Double(decades) / (compact ? 3 : 8)).rounded(.up)))
        var e = Int(lo)
        while Double(e) <= top {
            let yy = mt + (top - Double(e)) / (top - lo) * ph
            o += "<line x1=\"\(n(ml))\" y1=\"\(n(yy))\" x2=\"\(n(ml + pw))\" y2=\"\(n(yy))\" stroke=\"#e3e3e8\" stroke-width=\"1\"/>"
            o += "<text x=\"\(n(ml - 4))\" y=\"\(n(yy + 4))\" text-anchor=\"end\" fill=\"#444444\">1e\(e)</text>"
            e += decadeStep
        }
        for t in xTicks(count: count, target: compact ? 3 : 7) {
            let xx = x(Double(t))
            o += "<line x1=\"\(n(xx))\" y1=\"\(n(mt + ph))\" x2=\"\(n(xx))\" y2=\"\(n(mt + ph + 4))\" stroke=\"#888888\"/>"
            o += "<text x=\"\(n(xx))\" y=\"\(n(mt + ph + (compact ? 13 : 17)))\" text-anchor=\"middle\" fill=\"#444444\">\(t)</text>"
        }
        if !compact {
            o += "<text x=\"\(n(ml + pw / 2))\" y=\"\(n(height - 8))\" text-anchor=\"middle\" fill=\"#222222\">index i (1-based)</text>"
            o += "<text x=\"16\" y=\"\(n(mt + ph / 2))\" text-anchor=\"middle\" fill=\"#222222\" transform=\"rotate(-90 16 \(n(mt + ph / 2)))\">singular value σᵢ (log scale)</text>"
        }
        // A lower bound when the data could only say "at least": a line at the bound, the region past it shaded.
        if r.status == .insufficient, let lb = r.lowerBound, lb >= 1, lb <= count {
            let xx = x(Double(lb))
            o += "<rect x=\"\(n(xx))\" y=\"\(n(mt))\" width=\"\(n(ml + pw - xx))\" height=\"\(n(ph))\" fill=\"#f3e6c8\" opacity=\"0.5\"/>"
            o += "<line x1=\"\(n(xx))\" y1=\"\(n(mt))\" x2=\"\(n(xx))\" y2=\"\(n(mt + ph))\" stroke=\"#b45309\" stroke-width=\"1.2\" stroke-dasharray=\"5 3\"><title>\(Markup.escape("no cliff up to index \(lb): hidden size is at least \(lb)"))</title></line>"
            let anchor = xx > ml + pw * 0.75 ? "end" : "start"
            o += label(xx + (anchor == "end" ? -5 : 5), mt + (compact ? 10 : 14), "d ≥ \(lb)", color: "#8a5a00", anchor: anchor, bold: true)
        }
        // The float64 Gram's precision limit, only where it matters: when the values past the signal reach
        // down to it (within ×10), so that their level there is rounding rather than data.
        if let limit = r.numericalFloor, Self.showsPrecisionLimit(r), log10(limit) >= lo, log10(limit) <= top {
            let yy = y(limit)
            o += "<line x1=\"\(n(ml))\" y1=\"\(n(yy))\" x2=\"\(n(ml + pw))\" y2=\"\(n(yy))\" stroke=\"#b91c1c\" stroke-width=\"1\" stroke-dasharray=\"1 3\"><title>\(Markup.escape("float64 precision limit " + Formatting.sci(limit) + ": values at or below it are rounding"))</title></line>"
            if !compact { o += label(ml + 4, yy + 14, "float64 precision limit", color: "#991b1b", anchor: "start") }
        }
        // Noise floor: the median of the values past the signal, as computed.
        if let nf = r.noiseFloor, nf > 0, nf.isFinite, log10(nf) >= lo, log10(nf) <= top {
            let yy = y(nf)
            o += "<line x1=\"\(n(ml))\" y1=\"\(n(yy))\" x2=\"\(n(ml + pw))\" y2=\"\(n(yy))\" stroke=\"#7a7a7a\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"><title>\(Markup.escape("noise floor " + Formatting.sci(nf)))</title></line>"
            if !compact { o += label(ml + pw - 4, yy - 5, "noise floor", color: "#555555", anchor: "end") }
        }
        // Candidates (ambiguous verdicts: every dim the spectrum supports).
        let hidden = r.hiddenDim
        // Labels of neighbouring candidates would overlap: each one a line lower than the previous.
        for (k, c) in r.candidates.filter({ $0.dim >= 1 && $0.dim < count && $0.dim != hidden }).sorted(by: { $0.dim < $1.dim }).enumerated() {
            let xx = (x(Double(c.dim)) + x(Double(c.dim + 1))) / 2
            o += "<line x1=\"\(n(xx))\" y1=\"\(n(mt))\" x2=\"\(n(xx))\" y2=\"\(n(mt + ph))\" stroke=\"#d97706\" stroke-width=\"1.2\" stroke-dasharray=\"2 3\"><title>\(Markup.escape("candidate d = \(c.dim), σ ratio \(Formatting.sci(c.ratio))"))</title></line>"
            if !compact { o += label(xx + 3, mt + 28 + 15 * Double(k % 4), "\(c.dim)?", color: "#b45309", anchor: "start") }
        }
        // The curve.
        let keep = keptIndices(r, plotWidth: pw)
        var path = ""
        for (k, i) in keep.enumerated() {
            path += (k == 0 ? "M" : "L") + n(x(Double(i + 1))) + " " + n(y(sv[i])) + " "
        }
        o += "<path d=\"\(path.trimmingCharacters(in: .whitespaces))\" fill=\"none\" stroke=\"#1f4e9c\" stroke-width=\"\(compact ? 1.2 : 1.6)\" stroke-linejoin=\"round\"/>"
        // Dominant early directions.
        let dom = min(r.dominantDirections, count)
        if dom > 0 {
            for i in 0..<dom {
                o += "<circle cx=\"\(n(x(Double(i + 1))))\" cy=\"\(n(y(sv[i])))\" r=\"\(compact ? 2 : 3.5)\" fill=\"#7c3aed\"><title>\(Markup.escape("dominant direction \(i + 1): σ = \(Formatting.sci(sv[i]))"))</title></circle>"
            }
            if !compact {
                o += label(x(Double(dom)) + 8, y(sv[0]) + 12, "\(dom) dominant", color: "#6d28d9", anchor: "start")
            }
        }
        // The cliff.
        if let d = hidden, d >= 1, d <= count {
            let xx = d < count ? (x(Double(d)) + x(Double(d + 1))) / 2 : x(Double(d))
            o += "<line x1=\"\(n(xx))\" y1=\"\(n(mt))\" x2=\"\(n(xx))\" y2=\"\(n(mt + ph))\" stroke=\"#c2410c\" stroke-width=\"\(compact ? 1.2 : 1.6)\" stroke-dasharray=\"5 3\"><title>\(Markup.escape("cliff after index \(d): hidden size \(d)"))</title></line>"
            o += "<circle cx=\"\(n(x(Double(d))))\" cy=\"\(n(y(sv[d - 1])))\" r=\"\(compact ? 2.2 : 4)\" fill=\"none\" stroke=\"#c2410c\" stroke-width=\"1.5\"><title>\(Markup.escape("σ_\(d) = \(Formatting.sci(sv[d - 1]))"))</title></circle>"
            if d < count {
                o += "<circle cx=\"\(n(x(Double(d + 1))))\" cy=\"\(n(y(sv[d])))\" r=\"\(compact ? 2.2 : 4)\" fill=\"none\" stroke=\"#c2410c\" stroke-width=\"1.5\"><title>\(Markup.escape("σ_\(d + 1) = \(Formatting.sci(sv[d]))"))</title></circle>"
            }
            let anchor = xx > ml + pw * 0.75 ? "end" : "start"
            o += label(xx + (anchor == "end" ? -5 : 5), mt + (compact ? 10 : 14), "d = \(d)", color: "#c2410c", anchor: anchor, bold: true)
        }
        o += "</svg>"
        return o
    }

    /// Whether the plot draws the precision limit: the values past the signal come within ×10 of it.
    static func showsPrecisionLimit(_ r: EstimateResult) -> Bool {
        guard let limit = r.numericalFloor, limit > 0, limit.isFinite else { return false }
        let after = r.hiddenDim ?? r.lowerBound ?? 0
        let tail = r.singularValues.dropFirst(after).filter { $0.isFinite }
        guard let lowest = tail.min() else { return false }
        return lowest <= 10 * limit
    }

    /// The figure caption: it describes the marks this plot draws and no others.
    public static func caption(_ r: EstimateResult) -> String {
        let count = r.singularValues.count
        var parts = ["Singular values of the double-centred sample matrix, largest first, on a log scale (blue)."]
        if let d = r.hiddenDim, d >= 1, d <= count {
            parts.append("A transformer's outputs span only its hidden size d, so the values fall off a cliff after index d: the red dashed line marks it, after index \(d).")
        }
        if let floor = r.noiseFloor, floor > 0, floor.isFinite {
            parts.append("Grey dashed line: the noise floor, the median of the values past the signal.")
            if let limit = r.numericalFloor, floor < limit {
                parts.append("It lies below the precision limit, so it is the Gram's rounding: the data's own noise is at most that limit.")
            }
        }
        if showsPrecisionLimit(r) {
            parts.append("Red dotted line: the float64 precision limit of the Gram matrix; values at or below it are rounding, not data.")
        }
        let hidden = r.hiddenDim
        let others = r.candidates.filter { $0.dim >= 1 && $0.dim < count && $0.dim != hidden }.map(\.dim).sorted().map(String.init)
        if !others.isEmpty {
            parts.append("Orange dotted line\(others.count == 1 ? "" : "s"): candidate size\(others.count == 1 ? "" : "s") \(others.joined(separator: ", ")).")
        }
        if r.dominantDirections > 0 {
            parts.append("Purple dots: \(r.dominantDirections) dominant early direction\(r.dominantDirections == 1 ? "" : "s"), far above the rest.")
        }
        if r.status == .insufficient, let lb = r.lowerBound, lb >= 1, lb <= count {
            parts.append("Amber line and shading: no cliff up to index \(lb), so the hidden size is at least \(lb).")
        }
        return parts.joined(separator: " ")
    }

    /// Indices (0-based) of the points drawn, ascending.
    func keptIndices(_ r: EstimateResult, plotWidth: Double) -> [Int] {
        let count = r.singularValues.count
        let buckets = max(1, Int(plotWidth.rounded()))
        if count <= 2 * buckets { return Array(0..<count) }
        var keep = Set<Int>([0, count - 1])
        let sv = r.singularValues
        for b in 0..<buckets {
            let start = b * count / buckets, end = (b + 1) * count / buckets
            guard start < end else { continue }
            var iMin = start, iMax = start
            for i in start..<end {
                if sv[i] < sv[iMin] { iMin = i }
                if sv[i] > sv[iMax] { iMax = i }
            }
            keep.insert(start); keep.insert(iMin); keep.insert(iMax)
        }
        var marks = r.candidates.map(\.dim)
        if let d = r.hiddenDim { marks.append(d) }
        if let lb = r.lowerBound { marks.append(lb) }
        for m in marks { for i in [m - 2, m - 1, m, m + 1] where i >= 0 && i < count { keep.insert(i) } }
        for i in 0..<min(r.dominantDirections + 1, count) { keep.insert(i) }
        return keep.sorted()
    }

    private func xTicks(count: Int, target: Int) -> [Int] {
        guard count > 1 else { return [1] }
        let raw = Double(count) / Double(target)
        let mag = pow(10, Foundation.floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        let s = max(1, Int(step))
        var ticks = [1]
        var t = s
        while t <= count { ticks.append(t); t += s }
        if ticks.count > 1, ticks[1] - 1 < s / 2 { ticks.remove(at: 1) }
        return ticks
    }

    private func label(_ x: Double, _ y: Double, _ text: String, color: String, anchor: String, bold: Bool = false) -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" fill=\"\(color)\"\(bold ? " font-weight=\"bold\"" : "")>\(Markup.escape(text))</text>"
    }

    /// Coordinates with one decimal: enough for a screen, half the bytes of full precision.
    private func n(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }
}
