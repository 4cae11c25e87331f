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
            if c >= dense.count { dense.append(contentsOf: repeatElement(.nan, count: c + 1 - dense.count)) }
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
        isDense = true
        slot = [:]; columns = []; values = []
    }
}

/// Every cell observation of one assembly, keyed by (row, column) indices: first values in `RowCells`,
/// repeats in a side table. Compact enough for 4,700 × 4,700 forced-token collections (≈ 8 bytes a cell).
struct CellStore: Sendable {
    var rows: [RowCells] = []
    var repeats: RepeatTable
    var repeatCap: Int { repeats.cap }

    init(repeatCap: Int) { repeats = RepeatTable(cap: repeatCap) }

    @inline(__always) static func key(_ row: Int32, _ column: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: row)) << 32 | UInt64(UInt32(bitPattern: column))
    }

    mutating func ensureRow(_ row: Int32) {
        while rows.count <= Int(row) { rows.append(RowCells()) }
    }

    @inline(__always)
    mutating func add(row: Int32, column: Int32, value: Double, at location: SourceLocation?) {
        if Int(row) >= rows.count { ensureRow(row) }
        guard let first = rows[Int(row)].insertIfAbsent(column, value) else { return }
        repeats.add(Self.key(row, column), first: first, value: value, at: location)
    }

    /// Moves a cell (with its repeats) to another column of the same row, merging with what is there.
    mutating func move(row: Int32, from: Int32, to: Int32) {
        guard let v = rows[Int(row)].remove(from) else { return }
        let moved = repeats.detach(Self.key(row, from))
        if let existing = rows[Int(row)].insertIfAbsent(to, v) {
            repeats.merge(into: Self.key(row, to), existingFirst: existing, from: moved, movedValue: v)
        } else if let moved {
            repeats.attach(moved, to: Self.key(row, to))
        }
    }

    /// Removes a cell with its repeats; returns how many observations it held.
    @discardableResult
    mutating func remove(row: Int32, column: Int32) -> Int {
        guard Int(row) < rows.count, rows[Int(row)].remove(column) != nil else { return 0 }
        guard let a = repeats.detach(Self.key(row, column)) else { return 1 }
        return Int(repeats.count[Int(a)])
    }
}
