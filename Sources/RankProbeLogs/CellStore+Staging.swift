/// Staging: the streaming phase hands its observations to the store in batches, applied row by row.
///
/// Why: log lines arrive in any order with respect to prompts (Batch API outputs come back shuffled), and
/// once a collection outgrows the cache every observation applied in log order costs several cache misses
/// (the row's cells, the cell's repeat aggregate, the value pool) — profiling showed the store's stalls as
/// the largest single cost of the delivering thread. Applied grouped by row, a row's cells, its aggregates
/// and their values are touched together and stay in cache.
///
/// Why the result cannot change: a cell's state (first value, repeats, extremes and where they were seen,
/// which values are kept under the cap, when a row turns dense) depends only on the order of that cell's
/// own observations, and the stable grouping by row keeps the log order within each row. The one global
/// order — which repeated cell came first, for the conflict example — is kept by stamping each repeat
/// aggregate with its observation's stream position (`RepeatTable.Aggregate.sequence`). Everything that reads
/// or rearranges cells (`add`, `move`, `remove`, `clearRepeats`, `Assembler.finish`) applies the staged
/// batch first.
///
/// Memory is bounded: a batch is applied when it reaches `stageLimit` observations (24 bytes each staged,
/// 40 more while a batch is put in row order).
struct StagedCell: Sendable {
    var row: Int32
    var column: Int32
    /// Index into `CellStore.stagedAt`.
    var at: Int32
    var value: Double
}

extension CellStore {
    /// Observations per batch: 2 Mi × (24 + 40) bytes ≈ 130 MB at most while a batch is applied. Larger
    /// batches only lengthen each row's run; with thousands of prompts a row already gets hundreds of
    /// observations per batch.
    static let stageLimit = 1 << 21

    /// Queues one observation; it is applied by the next `flushStaged`.
    @inline(__always)
    mutating func stage(row: Int32, column: Int32, value: Double, at location: SourceLocation) {
        // Observations of one record share its location: stored once.
        if stagedAt.last != location { stagedAt.append(location) }
        staged.append(StagedCell(row: row, column: column, at: Int32(stagedAt.count - 1), value: value))
        if staged.count >= Self.stageLimit { flushStaged() }
    }

    /// Applies the staged observations grouped by row (a stable counting sort: log order within a row).
    ///
    /// The cells are copied into row order, not reached through a permutation: reading the staged batch in
    /// order and writing one sequential stream per row stays in cache, where gathering through a
    /// permutation cost a cache miss per observation.
    mutating func flushStaged() {
        guard !staged.isEmpty else { return }
        var rowCount = 0
        for c in staged { rowCount = max(rowCount, Int(c.row) + 1) }
        if rowCount > rows.count { ensureRow(Int32(rowCount - 1)) }
        var start = [Int](repeating: 0, count: rowCount + 1)
        for c in staged { start[Int(c.row) + 1] += 1 }
        for r in 0..<rowCount { start[r + 1] += start[r] }
        let base = nextSequence
        let total = staged.count
        let ordered = [RowOrderedCell](unsafeUninitializedCapacity: total) { out, initialized in
            var next = start
            staged.withUnsafeBufferPointer { cells in
                stagedAt.withUnsafeBufferPointer { locations in
                    for i in 0..<cells.count {
                        let c = cells[i]
                        let r = Int(c.row)
                        (out.baseAddress! + next[r]).initialize(to: RowOrderedCell(
                            column: c.column, value: c.value, at: locations[Int(c.at)], sequence: base + i))
                        next[r] += 1
                    }
                }
            }
            initialized = total
        }
        staged = []
        stagedAt = []
        // Every observation can add at most one kept value: the pool never regrows mid-batch.
        repeats.reserveValues(total)
        for r in 0..<rowCount {
            for j in start[r]..<start[r + 1] {
                let c = ordered[j]
                apply(row: Int32(r), column: c.column, value: c.value, at: c.at, sequence: c.sequence)
            }
        }
        nextSequence = base + total
    }
}

/// A staged observation copied into its row's run by `flushStaged`.
struct RowOrderedCell {
    var column: Int32
    var value: Double
    var at: SourceLocation
    /// Stream position (see `CellStore.nextSequence`).
    var sequence: Int
}
