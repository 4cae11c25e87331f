import Foundation
import RankProbe
import RankProbeReport
import Testing

@Suite struct EscapingTests {
    @Test func escapeFunction() {
        #expect(Markup.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(Markup.escape("a\u{0}b\u{1B}c\u{85}d\u{FFFE}e\tf\ng") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\tf\ng")
        #expect(Markup.escape("σ → ✓ 漢字") == "σ → ✓ 漢字")
        #expect(Markup.escape(Fixtures.invalidUTF8Token) == "&quot;t\u{FFFD}\u{FFFD}k&quot;&amp;\u{FFFD}")
        #expect(Markup.markdown("[x](javascript:y) *b* | c-d") == "\\[x\\](javascript:y) \\*b\\* \\| c-d")
        #expect(Markup.markdown("- <i>a</i> & 'q'") == "\\- &lt;i&gt;a&lt;/i&gt; &amp; 'q'")
        #expect(Markup.terminal("a\u{1B}[31mb") == "a\u{FFFD}[31mb")
    }

    @Test(arguments: ["ok", "insufficient", "ambiguous", "hostile"])
    func htmlIsWellFormedXML(_ name: String) throws {
        let r = name == "hostile" ? Fixtures.hostile : try #require(Fixtures.all.first { $0.name == name }?.result)
        let html = ReportRenderer.html(r, title: name == "hostile" ? Fixtures.scriptName : nil)
        let (error, check) = XMLCheck.check(html)
        #expect(error == nil, "\(name): \(error ?? "")")
        #expect(check.elements.contains("svg") && check.elements.contains("path") && check.elements.contains("table"))
        #expect(!check.elements.contains("script") && !check.elements.contains("link") && !check.elements.contains("img"))
        // Self-contained: nothing loads from elsewhere (the SVG namespace is a name, not a fetch).
        #expect(!html.contains("src=") && !html.contains("url(") && !html.contains("@import"))
        let stripped = html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
        #expect(!stripped.contains("http://") && !stripped.contains("https://"))
    }

    /// A model named `<script>…` and token strings with quotes, ampersands, control and invalid UTF-8 bytes:
    /// parsed back, the text is exactly what went in (so it was escaped, not dropped), and the raw forms never
    /// appear in the markup.
    @Test func hostileStringsNeverAppearRaw() throws {
        let r = Fixtures.hostile
        let html = ReportRenderer.html(r, title: Fixtures.scriptName)
        let md = ReportRenderer.markdown(r, title: Fixtures.scriptName, plotFile: "x.svg")
        let svg = SpectrumPlot().document(r, title: Fixtures.scriptName)
        for doc in [html, md, svg] {
            #expect(!doc.contains("<script"))
            #expect(!doc.contains("<b>"))
            #expect(!doc.contains("<odd>"))
            #expect(!doc.contains("\u{1B}") && !doc.contains("\u{0}"))
            #expect(!doc.contains("& <"))
        }
        // Quotes are only special in markup attributes: HTML and SVG escape them, Markdown need not.
        #expect(!html.contains("tok\"en") && !svg.contains("tok\"en"))
        let (error, check) = XMLCheck.check(html)
        #expect(error == nil)
        #expect(check.text.contains(Fixtures.scriptName), "the name is shown, as text")
        #expect(check.text.contains("tok\"en' & <b>bold</b> \u{FFFD}[31mred\u{FFFD}"))
        #expect(check.text.contains("\"t\u{FFFD}\u{FFFD}k\"&\u{FFFD}"))
        #expect(check.text.contains("dir/\"quoted\" & <odd>'name'.jsonl"))
        #expect(XMLCheck.check(svg).error == nil)
        let text = ReportRenderer.text(r, title: Fixtures.scriptName)
        #expect(!text.contains("\u{1B}") && !text.contains("\u{0}"))
    }
}
