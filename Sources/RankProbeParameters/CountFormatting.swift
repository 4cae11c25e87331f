import Foundation

/// Parameter counts in words ("7.24 B", "355 M"): the caveats of an estimate name model sizes, and the
/// report's renderers print the same figures through `Formatting`, which forwards here.
public enum CountFormatting {
    /// Three significant figures with a k / M / B / T suffix.
    public static func count(_ value: Double) -> String {
        scaled(value, units: [" k", " M", " B", " T"]) ?? sig(value)
    }

    /// `value` over the largest power of 1000 (10³ … 10¹²) that its magnitude reaches, in three significant
    /// figures with that power's unit from `units` (four of them); nil below 1000.
    public static func scaled(_ value: Double, units: [String]) -> String? {
        let a = abs(value)
        for (k, scale) in [1e12, 1e9, 1e6, 1e3].enumerated() where a >= scale { return sig(value / scale) + units[3 - k] }
        return nil
    }

    /// Three significant figures without exponent for values in [1, 1000); plain otherwise.
    public static func sig(_ v: Double) -> String {
        let a = abs(v)
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 10 { return String(format: "%.1f", v) }
        return String(format: "%.2f", v)
    }
}
