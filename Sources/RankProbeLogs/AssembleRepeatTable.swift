/// All observations of cells that were measured more than once (beyond the first value, which lives in
/// `RowCells`), stored flat: one aggregate per repeated cell in parallel arrays, and its kept values as a
/// singly linked list in one shared pool.
///
/// Why flat: forced-token logs with top_logprobs repeat every prompt's top tokens in several requests, so
/// nearly every top cell becomes a repeat — millions of them. One Swift array per cell cost a heap
/// allocation, a retain/release on every touch and a dictionary of 80-byte values to rehash; here a repeat
/// costs a dictionary entry of 12 bytes plus 12 bytes per kept value, and no allocation of its own.
///
/// Up to `cap` values are kept per cell for the median; min and max run over every observation so a
/// conflicting value is never missed, even past the cap.
struct RepeatTable: Sendable {
    let cap: Int
    /// Per aggregate: the cell it belongs to (see `CellStore.key`), or `.max` once retired (cell removed,
    /// or moved and merged into another).
    private(set) var key: [UInt64] = []
    private(set) var count: [Int32] = []
    private(set) var kept: [Int32] = []
    private(set) var minValue: [Double] = []
    private(set) var maxValue: [Double] = []
    /// Locations of the extremes; `file == -1` stands for "unknown" (the first observation of a cell).
    private(set) var minAt: [SourceLocation] = []
    private(set) var maxAt: [SourceLocation] = []
    private var head: [Int32] = []
    private var tail: [Int32] = []
    /// Value pool: `pool[i]`, next value of the same cell at `next[i]` (-1 ends the list).
    private var pool: [Double] = []
    private var next: [Int32] = []
    private(set) var liveCount = 0

    static let unknown = SourceLocation(file: -1, line: 0)

    init(cap: Int) { self.cap = cap }

    var isEmpty: Bool { liveCount == 0 }

    /// Indices of the live aggregates.
    var live: [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(liveCount)
        for a in key.indices where key[a] != .max { out.append(Int32(a)) }
        return out
    }

    static func location(_ l: SourceLocation) -> SourceLocation? { l.file < 0 ? nil : l }

    /// A new aggregate for cell `k` holding its first value (location unknown).
    mutating func newAggregate(first: Double, key k: UInt64) -> Int32 {
        let a = Int32(key.count)
        key.append(k); count.append(1); kept.append(1)
        minValue.append(first); maxValue.append(first)
        minAt.append(Self.unknown); maxAt.append(Self.unknown)
        let slot = Int32(pool.count)
        pool.append(first); next.append(-1)
        head.append(slot); tail.append(slot)
        liveCount += 1
        return a
    }

    @inline(__always)
    private mutating func push(_ a: Int, _ value: Double) {
        let slot = Int32(pool.count)
        pool.append(value); next.append(-1)
        next[Int(tail[a])] = slot
        tail[a] = slot
        kept[a] += 1
    }

    /// One more observation of aggregate `a`.
    mutating func observe(_ a32: Int32, _ value: Double, at location: SourceLocation?) {
        let a = Int(a32)
        if Int(kept[a]) < cap { push(a, value) }
        count[a] += 1
        let at = location ?? Self.unknown
        if value < minValue[a] { minValue[a] = value; minAt[a] = at }
        if value > maxValue[a] { maxValue[a] = value; maxAt[a] = at }
    }

    mutating func retire(_ a: Int32) {
        if key[Int(a)] != .max { key[Int(a)] = .max; liveCount -= 1 }
    }

    /// A retired aggregate continues as cell `k`'s.
    mutating func relabel(_ a: Int32, key k: UInt64) {
        if key[Int(a)] == .max { liveCount += 1 }
        key[Int(a)] = k
    }

    /// The retired aggregate `a` becomes cell `k`'s, whose single present value `first` (location unknown)
    /// goes in front: the same values, count and extremes as a new aggregate for `first` merged with `a`
    /// (`merge(into:from:)`), without copying `a`'s values.
    mutating func adopt(_ a32: Int32, first: Double, key k: UInt64) {
        let a = Int(a32)
        relabel(a32, key: k)
        let slot = Int32(pool.count)
        pool.append(first); next.append(head[a])
        head[a] = slot
        kept[a] += 1
        if Int(kept[a]) > cap {
            // Over the cap the merge would have left out the moved cell's last kept value.
            var s = head[a]
            while next[Int(next[Int(s)])] >= 0 { s = next[Int(s)] }
            next[Int(s)] = -1
            tail[a] = s
            kept[a] -= 1
        }
        count[a] += 1
        // Ties keep the first value's (unknown) location, as `merge` does.
        if first <= minValue[a] { minValue[a] = first; minAt[a] = Self.unknown }
        if first >= maxValue[a] { maxValue[a] = first; maxAt[a] = Self.unknown }
    }

    /// Folds a moved cell's single value (it had no repeats) into aggregate `t`; its location is unknown.
    mutating func mergeValue(into t32: Int32, _ value: Double) {
        let t = Int(t32)
        if Int(kept[t]) < cap { push(t, value) }
        count[t] += 1
        if value < minValue[t] { minValue[t] = value; minAt[t] = Self.unknown }
        if value > maxValue[t] { maxValue[t] = value; maxAt[t] = Self.unknown }
    }

    /// Folds the (retired) aggregate `from` into `t`.
    mutating func merge(into t32: Int32, from: Int32) {
        let t = Int(t32), f = Int(from)
        var s = head[f]
        while s >= 0, Int(kept[t]) < cap { push(t, pool[Int(s)]); s = next[Int(s)] }
        count[t] += count[f]
        if minValue[f] < minValue[t] { minValue[t] = minValue[f]; minAt[t] = minAt[f] }
        if maxValue[f] > maxValue[t] { maxValue[t] = maxValue[f]; maxAt[t] = maxAt[f] }
    }

    /// Copies the kept values of aggregate `a` into `out` (replacing its contents).
    func values(_ a: Int32, into out: inout [Double]) {
        out.removeAll(keepingCapacity: true)
        var s = head[Int(a)]
        while s >= 0 { out.append(pool[Int(s)]); s = next[Int(s)] }
    }

    mutating func removeAll() { self = RepeatTable(cap: cap) }
}

/// UInt64 → Int32 map with open addressing and linear probing, for the cell keys of sparse rows' repeats.
///
/// Swift's `Dictionary` hashes with per-process seeded SipHash, which is the right default for untrusted
/// keys but costs more than the rest of a repeat update; cell keys are (row, column) indices that rankprobe
/// assigns itself, so a multiplicative (Fibonacci) hash is enough and the table stays at most half full.
/// Deletion shifts the following entries back (no tombstones), so probe chains stay short after
/// `mergeTextColumns` moves millions of cells.
struct CellKeyMap: Sendable {
    private static let empty = UInt64.max
    private var keys: [UInt64]
    private var values: [Int32]
    private var shift: Int
    private(set) var count = 0

    init() {
        keys = [UInt64](repeating: Self.empty, count: 1024)
        values = [Int32](repeating: 0, count: 1024)
        shift = 64 - 10
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always) private func slot(_ k: UInt64) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    subscript(_ k: UInt64) -> Int32? {
        let mask = keys.count - 1
        var i = slot(k)
        while true {
            let stored = keys[i]
            if stored == k { return values[i] }
            if stored == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }

    /// Inserts or overwrites.
    mutating func set(_ k: UInt64, _ v: Int32) {
        precondition(k != Self.empty)
        if 2 * (count + 1) > keys.count { grow() }
        let mask = keys.count - 1
        var i = slot(k)
        while true {
            let stored = keys[i]
            if stored == k { values[i] = v; return }
            if stored == Self.empty { keys[i] = k; values[i] = v; count += 1; return }
            i = (i + 1) & mask
        }
    }

    mutating func removeValue(forKey k: UInt64) -> Int32? {
        let mask = keys.count - 1
        var i = slot(k)
        while true {
            let stored = keys[i]
            if stored == Self.empty { return nil }
            if stored == k { break }
            i = (i + 1) & mask
        }
        let removed = values[i]
        // Backward-shift deletion: move later entries of the cluster into the hole when their home slot
        // does not lie (cyclically) between the hole and their current position.
        var hole = i
        var j = (i + 1) & mask
        while keys[j] != Self.empty {
            let home = slot(keys[j])
            let between = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j)
            if !between {
                keys[hole] = keys[j]; values[hole] = values[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        keys[hole] = Self.empty
        count -= 1
        return removed
    }

    /// Values of all entries, in table order.
    var allValues: [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(count)
        for i in keys.indices where keys[i] != Self.empty { out.append(values[i]) }
        return out
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [UInt64](repeating: Self.empty, count: oldKeys.count * 2)
        values = [Int32](repeating: 0, count: oldKeys.count * 2)
        shift -= 1
        count = 0
        for i in oldKeys.indices where oldKeys[i] != Self.empty { set(oldKeys[i], oldValues[i]) }
    }
}
