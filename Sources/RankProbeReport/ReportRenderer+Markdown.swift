import RankProbe

extension ReportRenderer {
    /// The same content as the HTML report, in Markdown; the plot is a linked SVG file (`plotFile`).
    public static func markdown(_ r: EstimateResult, title: String? = nil, plotFile: String? = nil) -> String {
        let c = ReportContent(ReportPreparation.prepare(r), title: title)
        let m = Markup.markdown
        var o = "# rankprobe: \(m(c.title))\n\n**\(m(c.bannerTitle)):** \(m(c.bannerText))\n\n"
        if let plotFile {
            o += "![Singular values of \(m(c.title)) on a log scale](\(linkTarget(plotFile)))\n\n"
        } else {
            o += "_The spectrum plot is written as an SVG file next to the report when an output path is given._\n\n"
        }
        o += "## Summary\n\n" + table(["", ""], (c.summary + c.context).map { [m($0.label), m($0.value)] })
        o += "\n## Warnings\n\n"
        o += c.warnings.isEmpty ? "None.\n" : c.warnings.map { "- " + m($0) + "\n" }.joined()
        if let p = c.parameters {
            o += "\n## Parameter count\n\n\(m(p.range)).\n\n"
            o += table(["Precision", "Weight memory"], p.memory.map { [m($0.label), m($0.value)] })
            o += "\n\(m(p.gpu))\n\n"
            if !p.nearest.isEmpty {
                o += table(["Model", "Family", "Hidden size", "Layers", "Parameters", "Kind"], p.nearest.map {
                    [m($0.model), m($0.family), String($0.hiddenSize), String($0.layers), m(Formatting.count($0.parameters)), $0.moe ? "MoE" : "dense"]
                })
                o += "\n"
            }
            o += p.caveats.map { "- " + m($0) + "\n" }.joined()
            o += "\nMethod: \(m(p.method))\n"
        }
        o += "\n## Provenance\n\n"
        if !c.inputs.isEmpty {
            o += table(["Input", "Bytes", "Format", "SHA-256"], c.inputs.map {
                [m($0.path), Formatting.integer($0.bytes), m($0.format), $0.sha256.map { m($0) } ?? "not computed"]
            }) + "\n"
        }
        o += table(["", ""], (c.ingest + c.timings + [.init("Tool version", c.toolVersion)]).map { [m($0.label), m($0.value)] })
        o += c.ingestNotes.isEmpty ? "" : "\n" + c.ingestNotes.map { "- " + m($0) + "\n" }.joined()
        o += "\nCommand line: " + m(c.commandLine) + "\n"
        return o
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var o = "| " + header.joined(separator: " | ") + " |\n"
        o += "|" + header.map { _ in " --- |" }.joined() + "\n"
        for r in rows { o += "| " + r.joined(separator: " | ") + " |\n" }
        return o
    }

    /// A relative link to a file we named ourselves: percent-encode what would break the link syntax.
    static func linkTarget(_ name: String) -> String {
        var o = ""
        for u in name.utf8 {
            let ch = Character(Unicode.Scalar(u))
            if u < 0x80, ch.isLetter || ch.isNumber || "-_.~/".contains(ch) { o.append(ch) } else { o += String(format: "%%%02X", u) }
        }
        return o
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
