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
/// own observations, and the stable grouping by row keeps the log order within each row; batches are
/// applied in log order. The one global order — which repeated cell came first, for the conflict example —
/// is kept by stamping each repeat aggregate with its observation's stream position
/// (`RepeatTable.Aggregate.sequence`). The assembler applies every staged batch before it reads or
/// rearranges cells (`Assembler.settleStore`, first thing in `finish`).
///
/// Memory is bounded by the batch limit: 24 bytes per staged observation, 40 more while a batch is put in
/// row order.
struct StagedCell: Sendable {
    var row: Int32
    var column: Int32
    /// Index into `CellStaging.locations`.
    var at: Int32
    var value: Double
}

/// One batch of staged observations, in log order.
struct CellStaging: Sendable {
    var cells: [StagedCell] = []
    /// Observations of one record share its location: stored once.
    var locations: [SourceLocation] = []
    /// Stream position of `cells[0]`.
    var base = 0
    /// Observations per batch.
    let limit: Int

    init(limit: Int, base: Int = 0) { self.limit = limit; self.base = base }

    var isEmpty: Bool { cells.isEmpty }

    /// Queues one observation; true when the batch is full and should be applied.
    @inline(__always)
    mutating func stage(row: Int32, column: Int32, value: Double, at location: SourceLocation) -> Bool {
        if locations.last != location { locations.append(location) }
        cells.append(StagedCell(row: row, column: column, at: Int32(locations.count - 1), value: value))
        return cells.count >= limit
    }

    /// The batch, leaving an empty one that continues its stream positions. After a full batch the next
    /// one is likely full too, so its room is reserved at once instead of regrown step by step.
    mutating func take() -> CellStaging {
        let batch = self
        let full = cells.count >= limit
        self = CellStaging(limit: limit, base: base + cells.count)
        if full {
            cells.reserveCapacity(limit)
            locations.reserveCapacity(batch.locations.count)
        }
        return batch
    }
}

extension CellStore {
    /// Applies a staged batch grouped by row (a stable counting sort: log order within a row). Batches must
    /// come in log order, and before any other change to the store.
    ///
    /// The cells are copied into row order, not reached through a permutation: reading the batch in order
    /// and writing one sequential stream per row stays in cache, where gathering through a permutation cost
    /// a cache miss per observation.
    mutating func apply(_ batch: CellStaging) {
        guard !batch.isEmpty else { return }
        let staged = batch.cells
        var rowCount = 0
        for c in staged { rowCount = max(rowCount, Int(c.row) + 1) }
        if rowCount > rows.count { ensureRow(Int32(rowCount - 1)) }
        var start = [Int](repeating: 0, count: rowCount + 1)
        for c in staged { start[Int(c.row) + 1] += 1 }
        for r in 0..<rowCount { start[r + 1] += start[r] }
        let base = batch.base
        let total = staged.count
        let ordered = [RowOrderedCell](unsafeUninitializedCapacity: total) { out, initialized in
            var next = start
            staged.withUnsafeBufferPointer { cells in
                batch.locations.withUnsafeBufferPointer { locations in
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

/// A staged observation copied into its row's run by `CellStore.apply(_:)`.
struct RowOrderedCell {
    var column: Int32
    var value: Double
    var at: SourceLocation
    /// Stream position (see `CellStore.nextSequence`).
    var sequence: Int
}
