/// The streaming side of staging (see CellStore+Staging.swift): records' cell observations are queued in
/// `staging` and applied to the store a batch at a time, row by row, on the delivering thread.
///
/// The store used to be filled on a thread of its own while the reader went on; `Scripts/bench-ingest`
/// showed that worth less than 10 % of the ingest with that trick alone switched off, so it was removed
/// (with it went a hand-off whose ownership rules had to avoid a thread waiting for itself).
extension Assembler {
    /// Observations per batch: 2 Mi × (24 + 40) bytes ≈ 130 MB at most.
    static let stagingBatch = 1 << 21

    @inline(__always)
    mutating func stage(row: Int32, column: Int32, value: Double, at location: SourceLocation) {
        if staging.stage(row: row, column: column, value: value, at: location) { store.apply(staging.take()) }
    }

    /// Applies what is still staged: afterwards the store holds every observation and may be read or
    /// changed directly.
    mutating func settleStore() {
        if !staging.isEmpty { store.apply(staging.take()) }
    }
}
