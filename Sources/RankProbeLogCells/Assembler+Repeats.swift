import Dispatch
import RankProbeLogRecords

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
        let table = store.repeats
        guard !table.isEmpty else { return RepeatOutcome(noise: nil, notes: [], repeatedCells: 0) }
        let live = Array(table.live)
        var medians = [Double](repeating: 0, count: live.count)
        var spreads = [Double](repeating: 0, count: live.count)
        Self.mediansAndSpreads(table, live, into: &medians, &spreads, threads: options.threads)
        var scratch: [Double] = []
        let noise = Self.medianInPlace(&spreads)
        let tolerance = max(options.conflictNoiseFactor * noise, options.conflictFloor)
        var kept = 0, dropped = 0
        var example: String? = nil
        var exampleSequence = Int.max
        for (i, a) in live.enumerated() {
            let m = medians[i]
            let g = table[a]
            let k = g.key
            let row = Int(k >> 32), column = Int32(truncatingIfNeeded: k & 0xFFFF_FFFF)
            let minValue = g.minValue, maxValue = g.maxValue
            let high = maxValue - m, low = m - minValue
            var value: Double? = m
            if max(high, low) > tolerance {
                table.values(a, into: &scratch)
                let close = scratch.lazy.filter { abs($0 - m) <= tolerance }.count
                if scratch.count >= 3, 2 * close > scratch.count { kept += 1 } else { dropped += 1; value = nil }
                // The example is the conflicting cell that became a repeat first in the log.
                if example == nil || g.sequence < exampleSequence {
                    exampleSequence = g.sequence
                    // The first observation has no stored location: name the other extreme then.
                    let maxAt = RepeatTable.location(g.maxAt), minAt = RepeatTable.location(g.minAt)
                    let at = [(high, maxAt), (low, minAt)].filter { $0.0 > tolerance && $0.1 != nil }
                        .max { $0.0 < $1.0 }?.1 ?? nil
                    let place = at.map { "\(files[Int($0.file)]):\($0.line)" } ?? "an earlier line"
                    example = "prompt \(rowKeys[row]), token \(columns.keys[Int(column)].label): "
                        + "\(g.count) observations from \(minValue) to \(maxValue) (median \(m)), e.g. at \(place)"
                }
            }
            store.rows[row].replace(column, with: value)
        }
        let repeated = live.count
        store.clearRepeats()
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

    /// Each live aggregate's median and median absolute deviation. Cells are independent, so large tables
    /// are split over `threads` threads (this runs after reading, when the cores are idle): forced-token logs
    /// have one aggregate per top cell, hundreds of thousands, and this was a serial tail after the read.
    static func mediansAndSpreads(
        _ table: RepeatTable, _ live: [Int32], into medians: inout [Double], _ spreads: inout [Double], threads: Int
    ) {
        @Sendable func run(_ range: Range<Int>, _ medians: UnsafeMutablePointer<Double>, _ spreads: UnsafeMutablePointer<Double>) {
            var scratch: [Double] = []
            var deviations: [Double] = []
            scratch.reserveCapacity(table.cap); deviations.reserveCapacity(table.cap)
            for i in range {
                table.values(live[i], into: &scratch)
                let m = medianInPlace(&scratch)
                medians[i] = m
                deviations.removeAll(keepingCapacity: true)
                for v in scratch { deviations.append(abs(v - m)) }
                spreads[i] = medianInPlace(&deviations)
            }
        }
        let parts = live.count >= 1 << 16 ? max(1, min(threads, 8)) : 1
        medians.withUnsafeMutableBufferPointer { m in
            spreads.withUnsafeMutableBufferPointer { s in
                let m = SharedPointer(m.baseAddress!), s = SharedPointer(s.baseAddress!)
                let per = (live.count + parts - 1) / parts
                let group = DispatchGroup()
                let pool = WorkerThreads(count: parts - 1)
                // Part w writes only medians/spreads[w·per ..< (w+1)·per].
                for w in 1..<max(parts, 1) {
                    pool.submit(w - 1, group: group) {
                        run(min(live.count, w * per)..<min(live.count, (w + 1) * per), m.pointer, s.pointer)
                    }
                }
                run(0..<min(live.count, per), m.pointer, s.pointer)
                group.wait()
            }
        }
    }

    /// A pointer handed to worker threads that write disjoint ranges through it.
    struct SharedPointer: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Double>
        init(_ pointer: UnsafeMutablePointer<Double>) { self.pointer = pointer }
    }

    /// `median` without a copy (reorders `xs`).
    static func medianInPlace(_ xs: inout [Double]) -> Double {
        xs.sort()
        let m = xs.count / 2
        return xs.count % 2 == 1 ? xs[m] : (xs[m - 1] + xs[m]) / 2
    }
}
