import RankProbe

extension ReportRenderer {
    /// A terminal summary: aligned label/value lines; input strings pass through `Markup.terminal` so a token
    /// string cannot smuggle escape sequences onto the screen.
    public static func text(_ r: EstimateResult, title: String? = nil) -> String {
        let c = ReportContent(ReportPreparation.prepare(r), title: title)
        let t = Markup.terminal
        var o = "rankprobe \(t(c.toolVersion)) — \(t(c.title))\n"
        o += t(c.headline) + "\n\n"
        o += rows(c.summary + c.context, t)
        if !c.warnings.isEmpty {
            o += "\nWarnings:\n" + c.warnings.map { "  - " + t($0) + "\n" }.joined()
        }
        if let p = c.parameters {
            o += "\nParameter count: \(p.range)\n"
            o += rows(p.memory.map { .init("weights " + $0.label, $0.value) }, t)
            o += "  \(p.gpu)\n"
            if !p.nearest.isEmpty {
                o += "  Published models of this width or the nearest widths:\n"
                for m in p.nearest {
                    o += "    \(t(m.model)) (\(t(m.family))): d = \(m.hiddenSize), \(m.layers) layers, \(Formatting.count(m.parameters))\(m.moe ? ", mixture of experts" : "")\n"
                }
            }
            o += p.caveats.map { "  * " + t($0) + "\n" }.joined()
            o += "  Method: \(p.method)\n"
        }
        o += "\nProvenance:\n"
        for f in c.inputs {
            o += "  \(t(f.path)) — \(Formatting.integer(f.bytes)) bytes, \(t(f.format)), sha256 \(f.sha256 ?? "not computed")\n"
        }
        o += rows(c.ingest + c.timings, t)
        o += c.ingestNotes.map { "  note: " + t($0) + "\n" }.joined()
        o += "  command: \(t(c.commandLine))\n"
        return o
    }

    private static func rows(_ rows: [ReportContent.Row], _ t: (String) -> String) -> String {
        let width = rows.map { $0.label.count }.max() ?? 0
        return rows.map { "  " + t($0.label).padding(toLength: width, withPad: " ", startingAt: 0) + "  " + t($0.value) + "\n" }.joined()
    }
}
