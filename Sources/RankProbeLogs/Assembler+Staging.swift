import Dispatch

/// The streaming side of staging (see CellStore+Staging.swift): records' cell observations are queued in
/// `staging` and applied to the store a batch at a time, row by row.
///
/// With `applyInBackground` (what `LogIngest.load` uses) a full batch is applied on a thread of its own
/// while the reader goes on, so the store's work overlaps with parsing instead of running after it; the
/// store is handed to that thread and back, never shared. Without it batches are applied in place, and an
/// `Assembler` stays a plain value (copies never share a batch in flight).
extension Assembler {
    /// Observations per batch when applied in the background: small enough to overlap with reading and
    /// to reuse memory, large enough that a row gets dozens of observations per batch.
    static let backgroundBatch = 1 << 18
    /// Observations per batch when applied in place: 2 Mi × (24 + 40) bytes ≈ 130 MB at most.
    static let inPlaceBatch = 1 << 21

    /// Applies full batches on a thread of their own from now on (see above).
    mutating func enableBackgroundApply() {
        applyInBackground = true
        if staging.isEmpty { staging = CellStaging(limit: Self.backgroundBatch, base: staging.base) }
    }

    @inline(__always)
    mutating func stage(row: Int32, column: Int32, value: Double, at location: SourceLocation) {
        if staging.stage(row: row, column: column, value: value, at: location) { applyStaged() }
    }

    /// Applies the full batch: in place, or handed to the applier thread with the store.
    private mutating func applyStaged() {
        guard applyInBackground else { store.apply(staging.take()); return }
        let applier = self.applier ?? StoreApplier()
        self.applier = applier
        if applier.busy { store = applier.land() }
        let placeholder = CellStore(repeatCap: store.repeatCap)
        applier.launch(store, staging.take())
        store = placeholder
    }

    /// Brings the store back and applies what is still staged: afterwards the store holds every
    /// observation and may be read or changed directly.
    mutating func settleStore() {
        if let applier, applier.busy { store = applier.land() }
        applier = nil
        if !staging.isEmpty { store.apply(staging.take()) }
    }
}

/// Applies one staged batch to a store on its own thread. `launch` hands the store over, `land` waits and
/// hands it back; in between the caller must not touch it (it holds a placeholder).
///
/// The job captures only the `HandOff` box, never the applier: if it held the applier, the job could be
/// the last owner when the caller drops the applier right after `land`, and the applier's worker thread
/// would then wait in `WorkerThreads.deinit` for itself to end.
final class StoreApplier: @unchecked Sendable {
    private final class HandOff: @unchecked Sendable {
        var store: CellStore?
    }

    private let handOff = HandOff()
    private var group: DispatchGroup?
    private let worker = WorkerThreads(count: 1)

    var busy: Bool { group != nil }

    func launch(_ store: CellStore, _ batch: CellStaging) {
        let handOff = self.handOff
        handOff.store = store
        let group = DispatchGroup()
        self.group = group
        worker.submit(0, group: group) { handOff.store!.apply(batch) }
    }

    func land() -> CellStore {
        group?.wait()
        group = nil
        let s = handOff.store!
        handOff.store = nil
        return s
    }
}
