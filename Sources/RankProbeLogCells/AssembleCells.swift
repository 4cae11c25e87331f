/// Where an observation came from: an index into the assembler's file list and a 1-based line.
struct SourceLocation: Sendable, Equatable {
    var file: Int32
    var line: Int
}

/// The cells of one row. Starts sparse (column → slot dictionary) and turns dense (a `[Double]` indexed by
/// column with NaN for "missing") once at least a third of the columns up to the largest one are present,
/// where the dense form is the smaller one: 8 bytes per column against ~24 per sparse cell. Forced-token
/// collections (every prompt × every token) end up dense; sparse top-k rows stay sparse.
struct RowCells: Sendable {
    private(set) var dense: [Double] = []
    /// Dense rows only: repeat-aggregate index per column (-1: none), kept by `CellStore`, so a repeat of
    /// a dense row is found next to its value instead of through a global hash table.
    var aggregate: [Int32] = []
    private(set) var isDense = false
    private var slot: [Int32: Int32] = [:]
    private var columns: [Int32] = []
    private var values: [Double] = []
    private var maxColumn: Int32 = -1
    private(set) var count = 0

    /// The value of a cell, or nil when missing.
    func value(_ column: Int32) -> Double? {
        if isDense {
            let c = Int(column)
            guard c < dense.count else { return nil }
            let v = dense[c]
            return v.isNaN ? nil : v
        }
        guard let s = slot[column] else { return nil }
        return values[Int(s)]
    }

    /// Stores `value` when the cell is empty and returns nil; otherwise returns the stored value unchanged.
    mutating func insertIfAbsent(_ column: Int32, _ value: Double) -> Double? {
        if isDense {
            let c = Int(column)
            if c >= dense.count {
                aggregate.append(contentsOf: repeatElement(-1, count: c + 1 - dense.count))
                dense.append(contentsOf: repeatElement(.nan, count: c + 1 - dense.count))
            }
            let old = dense[c]
            if !old.isNaN { return old }
            dense[c] = value
            count += 1
            return nil
        }
        if let s = slot[column] { return values[Int(s)] }
        slot[column] = Int32(columns.count)
        columns.append(column)
        values.append(value)
        count += 1
        maxColumn = max(maxColumn, column)
        if count >= 32, count * 3 >= Int(maxColumn) + 1 { densify() }
        return nil
    }

    /// Removes a cell and returns its value.
    mutating func remove(_ column: Int32) -> Double? {
        if isDense {
            let c = Int(column)
            guard c < dense.count, !dense[c].isNaN else { return nil }
            let v = dense[c]
            dense[c] = .nan
            count -= 1
            return v
        }
        guard let s = slot.removeValue(forKey: column) else { return nil }
        let i = Int(s)
        let v = values[i]
        let last = columns.count - 1
        if i != last {
            columns[i] = columns[last]; values[i] = values[last]
            slot[columns[i]] = s
        }
        columns.removeLast(); values.removeLast()
        count -= 1
        return v
    }

    /// Sets a present cell to `value`, or removes it when `value` is nil (the count follows).
    mutating func replace(_ column: Int32, with value: Double?) {
        if isDense {
            let c = Int(column)
            guard c < dense.count, !dense[c].isNaN else { return }
            if let value { dense[c] = value } else { dense[c] = .nan; count -= 1 }
            return
        }
        guard let s = slot[column] else { return }
        if let value { values[Int(s)] = value } else { _ = remove(column) }
    }

    /// Calls `body(column, value)` for every present cell.
    func forEach(_ body: (Int32, Double) -> Void) {
        if isDense {
            for c in dense.indices where !dense[c].isNaN { body(Int32(c), dense[c]) }
        } else {
            for i in columns.indices { body(columns[i], values[i]) }
        }
    }

    private mutating func densify() {
        var d = [Double](repeating: .nan, count: Int(maxColumn) + 1)
        for i in columns.indices { d[Int(columns[i])] = values[i] }
        dense = d
        aggregate = [Int32](repeating: -1, count: d.count)
        isDense = true
        slot = [:]; columns = []; values = []
    }
}

/// Every cell observation of one assembly, keyed by (row, column) indices: first values in `RowCells`,
/// repeats in a side table. Compact enough for 4,700 × 4,700 forced-token collections (≈ 8 bytes a cell).
/// Which aggregate belongs to a cell is kept in the row itself for dense rows (`RowCells.aggregate`) and in
/// `sparseIndex` for sparse ones.
struct CellStore: Sendable {
    var rows: [RowCells] = []
    var repeats: RepeatTable
    /// A plain `Dictionary`: a custom open-addressing table here was worth less than 10 % of the ingest on
    /// `Scripts/bench-ingest` with it alone switched off, so it was removed.
    private var sparseIndex: [UInt64: Int32] = [:]
    var repeatCap: Int { repeats.cap }
    /// Stream position of the next observation: new repeat aggregates are stamped with it, so the first
    /// conflicting cell is found in observation order whatever order the cells were applied in (see
    /// CellStore+Staging.swift).
    var nextSequence = 0

    init(repeatCap: Int) { repeats = RepeatTable(cap: repeatCap) }

    @inline(__always) static func key(_ row: Int32, _ column: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: row)) << 32 | UInt64(UInt32(bitPattern: column))
    }

    mutating func ensureRow(_ row: Int32) {
        while rows.count <= Int(row) { rows.append(RowCells()) }
    }

    @inline(__always) private func aggregate(_ row: Int32, _ column: Int32) -> Int32? {
        if rows[Int(row)].isDense {
            let c = Int(column)
            guard c < rows[Int(row)].aggregate.count else { return nil }
            let a = rows[Int(row)].aggregate[c]
            return a >= 0 ? a : nil
        }
        return sparseIndex[Self.key(row, column)]
    }

    /// Sets (or with nil clears) the aggregate of a present cell.
    @inline(__always) private mutating func setAggregate(_ row: Int32, _ column: Int32, _ a: Int32?) {
        if rows[Int(row)].isDense {
            rows[Int(row)].aggregate[Int(column)] = a ?? -1
        } else if let a {
            sparseIndex[Self.key(row, column)] = a
        } else {
            _ = sparseIndex.removeValue(forKey: Self.key(row, column))
        }
    }

    /// A row just turned dense: its sparse aggregate entries move into the row.
    private mutating func migrate(_ row: Int32) {
        guard !sparseIndex.isEmpty else { return }
        var moved: [(Int, Int32)] = []
        rows[Int(row)].forEach { c, _ in
            if let a = sparseIndex.removeValue(forKey: Self.key(row, c)) { moved.append((Int(c), a)) }
        }
        for (c, a) in moved { rows[Int(row)].aggregate[c] = a }
    }

    /// Adds one observation at once. Staged batches (see `CellStaging`) must have been applied before.
    mutating func add(row: Int32, column: Int32, value: Double, at location: SourceLocation?) {
        apply(row: row, column: column, value: value, at: location, sequence: nextSequence)
        nextSequence += 1
    }

    @inline(__always)
    mutating func apply(row: Int32, column: Int32, value: Double, at location: SourceLocation?, sequence: Int) {
        if Int(row) >= rows.count { ensureRow(row) }
        let wasDense = rows[Int(row)].isDense
        guard let first = rows[Int(row)].insertIfAbsent(column, value) else {
            if !wasDense && rows[Int(row)].isDense { migrate(row) }
            return
        }
        if let a = aggregate(row, column) {
            repeats.observe(a, value, at: location)
        } else {
            let a = repeats.newAggregate(first: first, key: Self.key(row, column), sequence: sequence)
            repeats.observe(a, value, at: location)
            setAggregate(row, column, a)
        }
    }

    /// Moves a cell (with its repeats) to another column of the same row, merging with what is there.
    mutating func move(row: Int32, from: Int32, to: Int32) {
        guard rows[Int(row)].value(from) != nil else { return }
        let moved = aggregate(row, from)
        if moved != nil { setAggregate(row, from, nil); repeats.retire(moved!) }
        let wasDense = rows[Int(row)].isDense
        let v = rows[Int(row)].remove(from)!
        if let existing = rows[Int(row)].insertIfAbsent(to, v) {
            if let t = aggregate(row, to) {
                if let moved { repeats.merge(into: t, from: moved) } else { repeats.mergeValue(into: t, v) }
            } else if let moved {
                // The usual case when text columns merge into id columns: the target holds one value, the
                // moved cell many. Its aggregate is taken over instead of copied.
                repeats.adopt(moved, first: existing, key: Self.key(row, to))
                setAggregate(row, to, moved)
            } else {
                let t = repeats.newAggregate(first: existing, key: Self.key(row, to), sequence: nextSequence)
                nextSequence += 1
                setAggregate(row, to, t)
                repeats.mergeValue(into: t, v)
            }
        } else {
            if !wasDense && rows[Int(row)].isDense { migrate(row) }
            if let moved { repeats.relabel(moved, key: Self.key(row, to)); setAggregate(row, to, moved) }
        }
    }

    /// Removes a cell with its repeats; returns how many observations it held.
    @discardableResult
    mutating func remove(row: Int32, column: Int32) -> Int {
        guard Int(row) < rows.count, rows[Int(row)].value(column) != nil else { return 0 }
        let a = aggregate(row, column)
        if let a { setAggregate(row, column, nil); repeats.retire(a) }
        _ = rows[Int(row)].remove(column)
        guard let a else { return 1 }
        return Int(repeats[a].count)
    }

    /// Drops every repeat (after they were combined into the cells).
    mutating func clearRepeats() {
        repeats.removeAll()
        sparseIndex = [:]
        for r in rows.indices where rows[r].isDense {
            for c in rows[r].aggregate.indices { rows[r].aggregate[c] = -1 }
        }
    }
}
