import Foundation
import RankProbeParameters

/// Locale-independent number and size formatting shared by all renderers, so the text, Markdown and HTML
/// reports print the same figures and golden files do not depend on the machine's locale.
public enum Formatting {
    /// "7.24 B", "355 M", "12.3 k": three significant figures for parameter counts (shared with the
    /// parameter estimate's caveats).
    public static func count(_ value: Double) -> String { CountFormatting.count(value) }

    /// Decimal bytes ("14.5 GB"): GPU memory is sold in decimal-looking units and readers compare with those.
    public static func bytes(_ value: Double) -> String {
        CountFormatting.scaled(value, units: [" kB", " MB", " GB", " TB"]) ?? String(Int(value)) + " B"
    }

    /// Three significant figures without exponent for values in [1, 1000); plain otherwise.
    public static func sig(_ v: Double) -> String { CountFormatting.sig(v) }

    /// A singular value or ratio: compact scientific notation, stable across platforms.
    public static func sci(_ v: Double) -> String {
        if !v.isFinite { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 0.01 && a < 10_000 { return String(format: "%.4g", v) }
        return String(format: "%.3e", v)
    }

    public static func seconds(_ s: Double) -> String {
        if s < 1 { return String(format: "%.0f ms", s * 1000) }
        return String(format: "%.2f s", s)
    }

    /// Integers with thin grouping ("128,256") for sample/column counts.
    public static func integer(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// Quotes an argument for a POSIX shell so a command line can be pasted back.
    public static func shellQuote(_ arg: String) -> String {
        if arg.isEmpty { return "''" }
        let safe = arg.unicodeScalars.allSatisfy { s in
            (s.value >= 0x30 && s.value <= 0x39) || (s.value >= 0x41 && s.value <= 0x5A)
                || (s.value >= 0x61 && s.value <= 0x7A) || "-_./=:,+@%".unicodeScalars.contains(s)
        }
        if safe { return arg }
        return "'" + arg.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public static func commandLine(_ args: [String]) -> String { args.map(shellQuote).joined(separator: " ") }

    /// Prose from other layers sometimes interpolates a Double as is ("beyond 6.525068565466086e-07 nats"):
    /// numbers with more than six significant digits are shown with four (`sci`), the rest is left alone.
    /// Reports print prose through this; the JSON keeps the numbers exact in their own fields.
    public static func shortenFloats(_ text: String) -> String {
        guard let re = try? NSRegularExpression(pattern: "(?<![\\w.])-?[0-9]+\\.[0-9]{6,}(?:[eE][-+]?[0-9]+)?(?![\\w.])") else { return text }
        let ns = text as NSString
        var out = ""
        var last = 0
        for m in re.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            out += ns.substring(with: NSRange(location: last, length: m.range.location - last))
            let token = ns.substring(with: m.range)
            out += Double(token).map(sci) ?? token
            last = m.range.location + m.range.length
        }
        return out + ns.substring(from: last)
    }
}
