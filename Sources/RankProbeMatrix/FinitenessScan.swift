import Dispatch
import RankProbeNPY

/// Which rows and columns of the samples can enter the spectrum, and a per-row shift for centring.
///
/// **Non-finite values** follow `NonFinitePolicy` (failed rows first, then columns), in one streaming pass
/// over the source; everything dropped is counted and reported.
///
/// **Why a shift.** Centring by subtracting row means after the fact (G − V·m·mᵀ) cancels catastrophically
/// when log-probabilities sit around −20 with a spread of a few nats; subtracting a good estimate of each
/// row's mean while converting to float64 keeps the Gram entries small, and the exact correction that
/// remains is tiny.
public struct FinitenessScan: Sendable {
    /// Global indices of rows kept, ascending.
    public var keptRows: [Int]
    /// Global indices of columns kept, ascending.
    public var keptColumns: [Int]
    /// Mean of the finite entries of each kept row (parallel to `keptRows`).
    public var rowShift: [Double]
    public var negativeInfinities: Int
    public var nans: Int
    public var positiveInfinities: Int
    public var droppedRows: Int { totalRows - keptRows.count }
    public var droppedColumns: Int { totalColumns - keptColumns.count }
    public var totalRows: Int
    public var totalColumns: Int
    /// Rounding noise of the stored values (grid step, storage type), from the first rows.
    public var rounding: RoundingNoise

    /// Reads every value once, on two threads (each a half of the rows, with its own column marks, merged
    /// after). Pages of mapped files are released as rows are finished, so the scan does not leave the
    /// whole dump resident.
    public init(_ source: SampleSource) {
        let n = source.rows, v = source.columns
        totalRows = n
        totalColumns = v
        let parts = n >= 2 * Self.rowsPerPart ? 2 : 1
        let marks = ScanMarks(parts: parts, rows: n, columns: v)
        defer { marks.deallocate() }
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(v, 1))
            defer { buffer.deallocate() }
            let column = marks.column[part]
            var nan = 0, negInf = 0, posInf = 0
            for r in (n * part / parts)..<(n * (part + 1) / parts) {
                source.readRow(r, into: buffer)
                var sum = 0.0, finite = 0, bad = 0
                for c in 0..<v {
                    let x = buffer[c]
                    if x.isFinite {
                        sum += x
                        finite += 1
                    } else {
                        column[c] &+= 1
                        bad += 1
                        if x.isNaN { nan += 1 } else if x < 0 { negInf += 1 } else { posInf += 1 }
                    }
                }
                marks.badInRow[r] = bad
                marks.rowMean[r] = finite > 0 ? sum / Double(finite) : 0
            }
            marks.counts[3 * part] = negInf
            marks.counts[3 * part + 1] = nan
            marks.counts[3 * part + 2] = posInf
        }
        var badInColumn = Array(marks.column[0])
        for part in 1..<parts {
            for c in 0..<v { badInColumn[c] &+= marks.column[part][c] }
        }
        let badInRow = Array(marks.badInRow), rowMean = Array(marks.rowMean)
        var negInf = 0, nan = 0, posInf = 0
        for part in 0..<parts {
            negInf += marks.counts[3 * part]; nan += marks.counts[3 * part + 1]; posInf += marks.counts[3 * part + 2]
        }
        let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(v, 1))
        defer { buffer.deallocate() }
        var sampleRows: [[Double]] = []
        for r in 0..<min(n, 8) {
            source.readRow(r, into: buffer)
            sampleRows.append(Array(buffer.prefix(min(v, 4096))))
        }
        // Drop mostly-broken rows, then forget their marks on the columns.
        var keptRows: [Int] = []
        for r in 0..<n {
            if NonFinitePolicy.isFailedRow(nonFinite: badInRow[r], of: v) {
                source.readRow(r, into: buffer)
                for c in 0..<v where !buffer[c].isFinite { badInColumn[c] &-= 1 }
            } else {
                keptRows.append(r)
            }
        }
        self.keptRows = keptRows
        self.rowShift = keptRows.map { rowMean[$0] }
        self.keptColumns = (0..<v).filter { badInColumn[$0] == 0 }
        var storage: NPYScalar? = nil
        if case .mapped(let files) = source { storage = files.first?.scalar }
        rounding = RoundingNoise.estimate(rows: sampleRows, storage: storage)
        negativeInfinities = negInf
        nans = nan
        positiveInfinities = posInf
    }
}

extension FinitenessScan {
    /// Below twice this many rows the scan runs on one thread (starting a second costs more than it saves).
    static let rowsPerPart = 32
}

/// What the scan's threads write: each its own column marks and counts, disjoint rows of the rest.
private struct ScanMarks: @unchecked Sendable {
    let column: [UnsafeMutableBufferPointer<Int32>]
    let badInRow: UnsafeMutableBufferPointer<Int>
    let rowMean: UnsafeMutableBufferPointer<Double>
    let counts: UnsafeMutableBufferPointer<Int>

    init(parts: Int, rows: Int, columns: Int) {
        column = (0..<parts).map { _ in
            let p = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(columns, 1))
            p.initialize(repeating: 0)
            return p
        }
        badInRow = .allocate(capacity: max(rows, 1))
        badInRow.initialize(repeating: 0)
        rowMean = .allocate(capacity: max(rows, 1))
        rowMean.initialize(repeating: 0)
        counts = .allocate(capacity: 3 * parts)
        counts.initialize(repeating: 0)
    }

    func deallocate() {
        for p in column { p.deallocate() }
        badInRow.deallocate()
        rowMean.deallocate()
        counts.deallocate()
    }
}

extension SampleSource {
    /// Copies one row (raw values) and releases its mapped pages.
    public func readRow(_ r: Int, into out: UnsafeMutableBufferPointer<Double>) {
        switch self {
        case .dense(let d):
            d.values.withUnsafeBufferPointer { src in
                for c in 0..<d.columns { out[c] = src[r * d.columns + c] }
            }
        case .mapped(let files):
            var local = r
            for file in files {
                if local < file.rows {
                    file.copyRow(local, columns: 0..<file.columns, into: out, shift: 0)
                    if !file.fortranOrder { file.release(file.byteRange(row: local, columns: 0..<file.columns)) }
                    return
                }
                local -= file.rows
            }
            preconditionFailure("row \(r) out of range")
        }
    }
}
