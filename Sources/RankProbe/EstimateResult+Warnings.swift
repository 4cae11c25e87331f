import RankProbeLogs

extension EstimateResult {
    /// The result with one list of warnings: the log reader's notes that start with "warning: " (missing
    /// cells, mixed formats, skipped lines, …) are moved into `warnings`, without the prefix, and no longer
    /// repeated as notes. Every renderer (text, JSON, Markdown, HTML) shows `warnings`, so a report can no
    /// longer say "Warnings: None." above a provenance note about 6075 missing cells. Idempotent.
    public func gatheringWarnings() -> EstimateResult {
        guard var input, input.notes.contains(where: { $0.hasPrefix(Self.warningPrefix) }) else { return self }
        var out = self
        var kept: [String] = []
        for note in input.notes {
            if note.hasPrefix(Self.warningPrefix) {
                let text = String(note.dropFirst(Self.warningPrefix.count))
                if !out.warnings.contains(text) { out.warnings.append(text) }
            } else {
                kept.append(note)
            }
        }
        input.notes = kept
        out.input = input
        return out
    }

    static let warningPrefix = "warning: "
}

/// "1 request", "2 requests": counts in messages agree with their nouns.
func counted(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) " + (n == 1 ? singular : plural ?? singular + "s")
}
