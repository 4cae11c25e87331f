/// All observations of cells that were measured more than once (beyond the first value, which lives in
/// `RowCells`), stored flat: one aggregate per repeated cell in one array, and its kept values as a
/// singly linked list in one shared pool.
///
/// Why flat: forced-token logs with top_logprobs repeat every prompt's top tokens in several requests, so
/// nearly every top cell becomes a repeat — millions of them. One Swift array per cell cost a heap
/// allocation, a retain/release on every touch and a dictionary of 80-byte values to rehash; here a repeat
/// costs one `Aggregate` plus 12 bytes per kept value, and no allocation of its own.
///
/// Why one array of structs and not parallel arrays: observations arrive in log order, which is random
/// with respect to cells, and the table outgrows the cache. An observation reads and writes count, kept,
/// extremes and tail together, so keeping them in one 72-byte record costs one or two cache misses per
/// observation instead of one per array (seven).
///
/// Up to `cap` values are kept per cell for the median; min and max run over every observation so a
/// conflicting value is never missed, even past the cap.
struct RepeatTable: Sendable {
    struct Aggregate: Sendable {
        /// The cell it belongs to (see `CellStore.key`), or `.max` once retired (cell removed, or moved and
        /// merged into another).
        var key: UInt64
        var count: Int32
        var kept: Int32
        var minValue: Double
        var maxValue: Double
        /// Locations of the extremes; `file == -1` stands for "unknown" (the first observation of a cell).
        var minAt: SourceLocation
        var maxAt: SourceLocation
        var head: Int32
        var tail: Int32
        /// Stream position of the observation that created it (`CellStore.nextSequence`): aggregates are
        /// numbered in the order cells were applied, which staging reorders; this keeps the log's order.
        var sequence: Int
    }

    let cap: Int
    private(set) var aggregates: [Aggregate] = []
    /// Value pool: `pool[i]`, next value of the same cell at `next[i]` (-1 ends the list).
    private var pool: [Double] = []
    private var next: [Int32] = []
    private(set) var liveCount = 0

    static let unknown = SourceLocation(file: -1, line: 0)

    init(cap: Int) { self.cap = cap }

    var isEmpty: Bool { liveCount == 0 }

    subscript(_ a: Int32) -> Aggregate { aggregates[Int(a)] }

    /// Room for `n` more kept values without regrowing the pool (a staged batch knows its size).
    mutating func reserveValues(_ n: Int) {
        pool.reserveCapacity(pool.count + n)
        next.reserveCapacity(next.count + n)
    }

    /// Indices of the live aggregates.
    var live: [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(liveCount)
        for a in aggregates.indices where aggregates[a].key != .max { out.append(Int32(a)) }
        return out
    }

    static func location(_ l: SourceLocation) -> SourceLocation? { l.file < 0 ? nil : l }

    /// A new aggregate for cell `k` holding its first value (location unknown).
    mutating func newAggregate(first: Double, key k: UInt64, sequence: Int) -> Int32 {
        let a = Int32(aggregates.count)
        let slot = Int32(pool.count)
        pool.append(first); next.append(-1)
        aggregates.append(Aggregate(key: k, count: 1, kept: 1, minValue: first, maxValue: first,
                                    minAt: Self.unknown, maxAt: Self.unknown, head: slot, tail: slot,
                                    sequence: sequence))
        liveCount += 1
        return a
    }

    @inline(__always)
    private static func push(_ g: inout Aggregate, _ value: Double, pool: inout [Double], next: inout [Int32]) {
        let slot = Int32(pool.count)
        pool.append(value); next.append(-1)
        next[Int(g.tail)] = slot
        g.tail = slot
        g.kept += 1
    }

    /// One more observation of aggregate `a`.
    @inline(__always)
    mutating func observe(_ a: Int32, _ value: Double, at location: SourceLocation?) {
        var g = aggregates[Int(a)]
        if Int(g.kept) < cap { Self.push(&g, value, pool: &pool, next: &next) }
        g.count += 1
        let at = location ?? Self.unknown
        if value < g.minValue { g.minValue = value; g.minAt = at }
        if value > g.maxValue { g.maxValue = value; g.maxAt = at }
        aggregates[Int(a)] = g
    }

    mutating func retire(_ a: Int32) {
        if aggregates[Int(a)].key != .max { aggregates[Int(a)].key = .max; liveCount -= 1 }
    }

    /// A retired aggregate continues as cell `k`'s.
    mutating func relabel(_ a: Int32, key k: UInt64) {
        if aggregates[Int(a)].key == .max { liveCount += 1 }
        aggregates[Int(a)].key = k
    }

    /// The retired aggregate `a` becomes cell `k`'s, whose single present value `first` (location unknown)
    /// goes in front: the same values, count and extremes as a new aggregate for `first` merged with `a`
    /// (`merge(into:from:)`), without copying `a`'s values.
    mutating func adopt(_ a32: Int32, first: Double, key k: UInt64) {
        relabel(a32, key: k)
        var g = aggregates[Int(a32)]
        let slot = Int32(pool.count)
        pool.append(first); next.append(g.head)
        g.head = slot
        g.kept += 1
        if Int(g.kept) > cap {
            // Over the cap the merge would have left out the moved cell's last kept value.
            var s = g.head
            while next[Int(next[Int(s)])] >= 0 { s = next[Int(s)] }
            next[Int(s)] = -1
            g.tail = s
            g.kept -= 1
        }
        g.count += 1
        // Ties keep the first value's (unknown) location, as `merge` does.
        if first <= g.minValue { g.minValue = first; g.minAt = Self.unknown }
        if first >= g.maxValue { g.maxValue = first; g.maxAt = Self.unknown }
        aggregates[Int(a32)] = g
    }

    /// Folds a moved cell's single value (it had no repeats) into aggregate `t`; its location is unknown.
    mutating func mergeValue(into t32: Int32, _ value: Double) {
        var g = aggregates[Int(t32)]
        if Int(g.kept) < cap { Self.push(&g, value, pool: &pool, next: &next) }
        g.count += 1
        if value < g.minValue { g.minValue = value; g.minAt = Self.unknown }
        if value > g.maxValue { g.maxValue = value; g.maxAt = Self.unknown }
        aggregates[Int(t32)] = g
    }

    /// Folds the (retired) aggregate `from` into `t`.
    mutating func merge(into t32: Int32, from: Int32) {
        var g = aggregates[Int(t32)]
        let f = aggregates[Int(from)]
        var s = f.head
        while s >= 0, Int(g.kept) < cap { Self.push(&g, pool[Int(s)], pool: &pool, next: &next); s = next[Int(s)] }
        g.count += f.count
        if f.minValue < g.minValue { g.minValue = f.minValue; g.minAt = f.minAt }
        if f.maxValue > g.maxValue { g.maxValue = f.maxValue; g.maxAt = f.maxAt }
        aggregates[Int(t32)] = g
    }

    /// Copies the kept values of aggregate `a` into `out` (replacing its contents).
    func values(_ a: Int32, into out: inout [Double]) {
        out.removeAll(keepingCapacity: true)
        var s = aggregates[Int(a)].head
        while s >= 0 { out.append(pool[Int(s)]); s = next[Int(s)] }
    }

    mutating func removeAll() { self = RepeatTable(cap: cap) }
}
