/// The one escaping function for everything that ends up in HTML, SVG or Markdown.
///
/// Reports quote strings that came from outside: model names, file names, token strings, error text. All of
/// them pass through `Markup.escape` before they touch markup; nothing else in this module writes `&`, `<`,
/// `>` or quotes around input text. The output is valid both as HTML5 and as XML 1.0 (the HTML report is
/// checked with an XML parser), which is why characters XML cannot carry at all are replaced, not escaped.
public enum Markup {
    /// Escapes text for HTML/XML element content and double- or single-quoted attribute values.
    ///
    /// - `&`, `<`, `>`, `"`, `'` become entities (the five XML knows; no HTML-only entities like `&nbsp;`).
    /// - C0 controls other than tab/newline/CR, C1 controls, and the noncharacters U+FFFE/U+FFFF become U+FFFD:
    ///   XML 1.0 forbids them even as character references, and a terminal escape in a token string must not
    ///   reach a reader's screen. Invalid UTF-8 never gets here raw: Swift strings decoded with
    ///   `String(decoding:as:)` already hold U+FFFD in its place.
    public static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.reserveCapacity(text.unicodeScalars.count)
        for s in text.unicodeScalars {
            switch s {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            case "\t", "\n", "\r": out.append(s)
            default:
                if isForbidden(s) { out.append("\u{FFFD}") } else { out.append(s) }
            }
        }
        return String(out)
    }

    /// Escapes text for Markdown. Markdown passes raw HTML through, so `&`, `<`, `>` become entities (a
    /// `<script>` in a model name must not survive); a backslash goes before the punctuation that can open a
    /// link, emphasis, code or a table cell, and before a leading `-`, `+` or `#` (list or heading); newlines
    /// become spaces so a value stays in its table cell. Quotes need nothing: they are only special inside tags.
    public static func markdown(_ text: String) -> String {
        let specials: Set<Unicode.Scalar> = ["\\", "`", "*", "_", "[", "]", "|", "~", "!"]
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            switch s {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\n", "\r", "\t": out.append(" ")
            default:
                if isForbidden(s) { out.append("\u{FFFD}"); continue }
                if specials.contains(s) || (out.isEmpty && (s == "-" || s == "+" || s == "#")) { out.append("\\") }
                out.append(s)
            }
        }
        return String(out)
    }

    /// Text for a terminal: control characters (ANSI escapes in a token string could rewrite the screen)
    /// become U+FFFD; nothing else changes.
    public static func terminal(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if s == "\n" || s == "\t" { out.append(s) } else if isForbidden(s) || s == "\r" { out.append("\u{FFFD}") } else { out.append(s) }
        }
        return String(out)
    }

    private static func isForbidden(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x20 { return !(v == 0x09 || v == 0x0A || v == 0x0D) }
        if v == 0x7F || (0x80...0x9F).contains(v) { return true }
        if v == 0xFFFE || v == 0xFFFF { return true }
        return false
    }
}
