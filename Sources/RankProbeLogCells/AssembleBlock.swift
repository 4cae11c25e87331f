/// Chooses a complete block (rows × columns with every cell present) from a matrix with holes.
///
/// The largest all-present submatrix is the maximum edge biclique problem, NP-hard, so this is a greedy
/// peel: while the current rows × columns still has holes, drop the line (row or column) with the largest
/// fraction of missing cells within the current block — the line that costs the fewest present cells per
/// hole removed — preferring the longer dimension on ties, so neither side is sacrificed for the other.
/// It is exact when holes concentrate in a few rows or columns (the usual case: a prompt whose requests
/// failed, a token that cannot be forced, sparse top-k tokens) and can lose to the optimum when holes are
/// scattered evenly (e.g. a diagonal), where any complete block is small anyway. Above 4,096 lines it drops
/// several of the worst lines of one kind per step (about 1/4,096 of them) to bound the run time.
struct CompleteBlock {
    /// Indices of the kept rows and columns, ascending.
    var rows: [Int]
    var columns: [Int]

    /// `rowCells[r]` lists the columns present in row r (each once); `columnCount` is the number of columns.
    init(rowCells: [[Int32]], columnCount: Int) {
        let nRows = rowCells.count
        var rowAlive = [Bool](repeating: true, count: nRows)
        var colAlive = [Bool](repeating: true, count: columnCount)
        var rc = rowCells.map(\.count)
        var cc = [Int](repeating: 0, count: columnCount)
        var colRows = [[Int32]](repeating: [], count: columnCount)
        for (r, cols) in rowCells.enumerated() {
            for c in cols { cc[Int(c)] += 1; colRows[Int(c)].append(Int32(r)) }
        }
        var nR = 0, nC = 0
        for r in 0..<nRows where rc[r] == 0 { rowAlive[r] = false }
        for c in 0..<columnCount where cc[c] == 0 { colAlive[c] = false }
        nR = rowAlive.lazy.filter { $0 }.count
        nC = colAlive.lazy.filter { $0 }.count

        while nR > 0, nC > 0 {
            var minR = Int.max, minC = Int.max
            for r in 0..<nRows where rowAlive[r] && rc[r] < minR { minR = rc[r] }
            for c in 0..<columnCount where colAlive[c] && cc[c] < minC { minC = cc[c] }
            if minR == nC && minC == nR { break }
            let fr = Double(nC - minR) / Double(nC), fc = Double(nR - minC) / Double(nR)
            let dropRows = fr > fc || (fr == fc && nR >= nC)
            let batch = max(1, (nR + nC) / 4096)
            if dropRows {
                for r in Self.worst(batch, alive: rowAlive, count: rc, full: nC) {
                    rowAlive[r] = false; nR -= 1
                    for c in rowCells[r] where colAlive[Int(c)] { cc[Int(c)] -= 1 }
                }
            } else {
                for c in Self.worst(batch, alive: colAlive, count: cc, full: nR) {
                    colAlive[c] = false; nC -= 1
                    for r in colRows[c] where rowAlive[Int(r)] { rc[Int(r)] -= 1 }
                }
            }
        }
        rows = (0..<nRows).filter { rowAlive[$0] }
        columns = (0..<columnCount).filter { colAlive[$0] }
        if rows.isEmpty || columns.isEmpty { rows = []; columns = [] }
    }

    /// The `k` alive lines with the fewest present cells (later lines first on ties), never a full line.
    private static func worst(_ k: Int, alive: [Bool], count: [Int], full: Int) -> [Int] {
        if k == 1 {
            var best = -1
            for i in alive.indices where alive[i] && (best < 0 || count[i] <= count[best]) { best = i }
            return [best]
        }
        let order = alive.indices.filter { alive[$0] && count[$0] < full }
            .sorted { count[$0] != count[$1] ? count[$0] < count[$1] : $0 > $1 }
        return Array(order.prefix(k))
    }
}
