import RankProbe

extension ReportRenderer {
    /// One self-contained HTML file: plot, summary, warnings, parameter estimate, provenance.
    /// - Parameters:
    ///   - context: extra rows (batch: expected hidden size, notes, right/wrong).
    ///   - backLink: a relative link shown at the top (batch pages link back to the index).
    public static func html(_ r: EstimateResult, title: String? = nil, context: [ReportContent.Row] = [], backLink: String? = nil) -> String {
        let prepared = ReportPreparation.prepare(r)
        let c = ReportContent(prepared, title: title, context: context)
        let e = Markup.escape
        var b = ""
        if let backLink { b += "<p><a href=\"\(e(backLink))\">← all models</a></p>\n" }
        b += "<h1>rankprobe: \(e(c.title))</h1>\n"
        b += "<p class=\"verdict status-\(c.status.rawValue)\"><strong>\(e(c.bannerTitle)).</strong> \(e(c.bannerText))</p>\n"
        b += "<h2>Spectrum</h2>\n<figure>\n" + SpectrumPlot().svg(prepared, title: c.title) + "\n"
        b += "<figcaption>" + e(SpectrumPlot.caption(prepared)) + "</figcaption>\n</figure>\n"
        b += "<h2>Summary</h2>\n" + keyValueTable(c.summary + c.context)
        b += "<h2>Warnings</h2>\n"
        b += c.warnings.isEmpty ? "<p class=\"muted\">None.</p>\n"
            : "<ul class=\"warnings\">\n" + c.warnings.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
        if let p = c.parameters {
            // The verdict is the page's subject; the tables behind the parameter estimate are folded.
            b += "<h2>Parameter count</h2>\n<p><strong>\(e(p.range)).</strong> \(e(p.gpu))</p>\n"
            b += "<details>\n<summary>Weight memory, published models of this width, caveats</summary>\n"
            b += "<table>\n<tr><th>Precision</th><th>Weight memory</th></tr>\n"
                + p.memory.map { "<tr><td>\(e($0.label))</td><td>\(e($0.value))</td></tr>\n" }.joined() + "</table>\n"
            if !p.nearest.isEmpty {
                b += "<p>Published models with this width, then the nearest widths:</p>\n<table>\n"
                    + "<tr><th>Model</th><th>Family</th><th>Hidden size</th><th>Layers</th><th>Parameters</th><th>Kind</th></tr>\n"
                for m in p.nearest {
                    b += "<tr><td>\(e(m.model))</td><td>\(e(m.family))</td><td class=\"num\">\(m.hiddenSize)</td><td class=\"num\">\(m.layers)</td>"
                        + "<td class=\"num\">\(e(Formatting.count(m.parameters)))</td><td>\(m.moe ? "mixture of experts" : "dense")</td></tr>\n"
                }
                b += "</table>\n"
            }
            b += "<ul>\n" + p.caveats.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
            b += "<p class=\"muted\">Method: \(e(p.method))</p>\n</details>\n"
        }
        b += "<h2>Provenance</h2>\n"
        if !c.inputs.isEmpty {
            b += "<table>\n<tr><th>Input file</th><th>Bytes</th><th>Format</th><th>SHA-256</th></tr>\n"
            for f in c.inputs {
                b += "<tr><td class=\"mono\">\(e(f.path))</td><td class=\"num\">\(Formatting.integer(f.bytes))</td><td>\(e(f.format))</td>"
                    + "<td class=\"mono\">\(e(f.sha256 ?? "not computed"))</td></tr>\n"
            }
            b += "</table>\n"
        }
        b += keyValueTable(c.ingest + c.timings + [.init("Tool version", "rankprobe " + c.toolVersion)])
        if !c.ingestNotes.isEmpty { b += "<ul>\n" + c.ingestNotes.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n" }
        b += "<p>Command line: <code>\(e(c.commandLine))</code></p>\n"
        return HTMLPage.wrap(title: "rankprobe: " + c.title, body: b)
    }

    static func keyValueTable(_ rows: [ReportContent.Row]) -> String {
        "<table>\n" + rows.map { "<tr><th>\(Markup.escape($0.label))</th><td>\(Markup.escape($0.value))</td></tr>\n" }.joined() + "</table>\n"
    }
}
