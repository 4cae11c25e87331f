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
/// Memory is bounded: a batch is applied when it reaches `stageLimit` observations (24 bytes each).
struct StagedCell: Sendable {
    var row: Int32
    var column: Int32
    /// Index into `CellStore.stagedAt`.
    var at: Int32
    var value: Double
}

extension CellStore {
    /// Observations per batch: 4 Mi × 24 bytes ≈ 100 MB at most.
    static let stageLimit = 1 << 22

    /// Queues one observation; it is applied by the next `flushStaged`.
    @inline(__always)
    mutating func stage(row: Int32, column: Int32, value: Double, at location: SourceLocation) {
        // Observations of one record share its location: stored once.
        if stagedAt.last != location { stagedAt.append(location) }
        staged.append(StagedCell(row: row, column: column, at: Int32(stagedAt.count - 1), value: value))
        if staged.count >= Self.stageLimit { flushStaged() }
    }

    /// Applies the staged observations grouped by row (a stable counting sort: log order within a row).
    mutating func flushStaged() {
        guard !staged.isEmpty else { return }
        let cells = staged
        let locations = stagedAt
        staged = []
        stagedAt = []
        var rowCount = 0
        for c in cells { rowCount = max(rowCount, Int(c.row) + 1) }
        if rowCount > rows.count { ensureRow(Int32(rowCount - 1)) }
        var start = [Int](repeating: 0, count: rowCount + 1)
        for c in cells { start[Int(c.row) + 1] += 1 }
        for r in 0..<rowCount { start[r + 1] += start[r] }
        var order = [Int32](repeating: 0, count: cells.count)
        for (i, c) in cells.enumerated() {
            order[start[Int(c.row)]] = Int32(i)
            start[Int(c.row)] += 1
        }
        let base = nextSequence
        for i in order {
            let c = cells[Int(i)]
            apply(row: c.row, column: c.column, value: c.value, at: locations[Int(c.at)], sequence: base + Int(i))
        }
        nextSequence = base + cells.count
    }
}
