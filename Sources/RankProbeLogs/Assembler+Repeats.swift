/// Cells measured more than once: repeated identical requests, or the same top token returned by several
/// requests of one prompt (forced-token logs repeat each prompt's top alternatives in every request).
extension Assembler {
    struct RepeatOutcome {
        var noise: Double?
        var notes: [String]
        var repeatedCells: Int
    }

    /// Median of a small array (mean of the two middle values for even counts).
    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// Replaces each repeated cell by the median of its observations.
    ///
    /// Serving noise = the median, over repeated cells, of each cell's median absolute deviation from its
    /// median (nats). It is a typical spread, not a standard deviation: for Gaussian noise of σ it is about
    /// 0.67σ with many repeats and about 0.48σ for pairs.
    ///
    /// A cell conflicts when one observation lies more than `max(conflictNoiseFactor × noise,
    /// conflictFloor)` from the cell's median (min and max run over every observation). Policy: with at least
    /// three kept observations of which a strict majority lies within that tolerance of the median, the
    /// median stands (one bad response cannot move it); otherwise — a conflicting pair has no majority and
    /// its median would be a made-up midpoint — the cell is dropped and treated as missing.
    mutating func combineRepeats() -> RepeatOutcome {
        guard !store.repeats.isEmpty else { return RepeatOutcome(noise: nil, notes: [], repeatedCells: 0) }
        var medians: [UInt64: Double] = [:]
        medians.reserveCapacity(store.repeats.count)
        var spreads: [Double] = []
        spreads.reserveCapacity(store.repeats.count)
        for (k, agg) in store.repeats {
            let m = Self.median(agg.values)
            medians[k] = m
            spreads.append(Self.median(agg.values.map { abs($0 - m) }))
        }
        let noise = Self.median(spreads)
        let tolerance = max(options.conflictNoiseFactor * noise, options.conflictFloor)
        var kept = 0, dropped = 0
        var example: String? = nil
        for (k, agg) in store.repeats {
            let m = medians[k]!
            let row = Int(k >> 32), column = Int32(truncatingIfNeeded: k & 0xFFFF_FFFF)
            let high = agg.maxValue - m, low = m - agg.minValue
            var value: Double? = m
            if max(high, low) > tolerance {
                let close = agg.values.lazy.filter { abs($0 - m) <= tolerance }.count
                if agg.values.count >= 3, 2 * close > agg.values.count { kept += 1 } else { dropped += 1; value = nil }
                if example == nil {
                    // The first observation has no stored location: name the other extreme then.
                    let at = [(high, agg.maxAt), (low, agg.minAt)].filter { $0.0 > tolerance && $0.1 != nil }
                        .max { $0.0 < $1.0 }?.1 ?? nil
                    let place = at.map { "\(files[Int($0.file)]):\($0.line)" } ?? "an earlier line"
                    example = "prompt \(rowKeys[row]), token \(columns.keys[Int(column)].label): "
                        + "\(agg.count) observations from \(agg.minValue) to \(agg.maxValue) (median \(m)), e.g. at \(place)"
                }
            }
            _ = store.rows[row].remove(column)
            if let value { _ = store.rows[row].insertIfAbsent(column, value) }
        }
        let repeated = store.repeats.count
        store.repeats = [:]
        var notes = ["\(repeated) cells were observed more than once; combined by the median, serving noise "
            + "(median absolute deviation) \(noise) nats"]
        if kept + dropped > 0 {
            if kept > 0 { entriesSkipped[EntryReason.conflictKept, default: 0] += kept }
            if dropped > 0 { entriesSkipped[EntryReason.conflictDropped, default: 0] += dropped }
            notes.append("warning: \(kept + dropped) cells have conflicting repeats (beyond \(tolerance) nats): \(kept) kept their "
                + "median (clear majority), \(dropped) dropped as missing; first: \(example!)")
        }
        return RepeatOutcome(noise: noise, notes: notes, repeatedCells: repeated)
    }
}
