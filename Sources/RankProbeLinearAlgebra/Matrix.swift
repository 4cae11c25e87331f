import _LinearAlgebraShims

/// A dense, column-major, float64 matrix that owns its storage.
///
/// This is deliberately a reference type with manual storage: the Gram matrices rankprobe builds are
/// hundreds of megabytes, and the LAPACK routines work in place. A class makes the single copy explicit
/// (copy-on-write arrays would silently duplicate a 150 MB buffer on the first in-place call).
public final class Matrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    public let storage: UnsafeMutablePointer<Double>

    /// A zero-filled `rows × columns` matrix.
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0)
        self.rows = rows
        self.columns = columns
        let count = max(rows * columns, 1)
        storage = .allocate(capacity: count)
        storage.initialize(repeating: 0, count: count)
    }

    /// A matrix from row-major nested values (convenient for tests and small hand-made cases).
    public convenience init(rowMajor values: [[Double]]) {
        let r = values.count
        let c = values.first?.count ?? 0
        self.init(rows: r, columns: c)
        for i in 0..<r {
            precondition(values[i].count == c, "ragged rows")
            for j in 0..<c { self[i, j] = values[i][j] }
        }
    }

    deinit { storage.deallocate() }

    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get { storage[column * rows + row] }
        set { storage[column * rows + row] = newValue }
    }

    public func copy() -> Matrix {
        let m = Matrix(rows: rows, columns: columns)
        m.storage.update(from: storage, count: rows * columns)
        return m
    }

    /// The transpose, as a new matrix.
    public func transposed() -> Matrix {
        let t = Matrix(rows: columns, columns: rows)
        for j in 0..<columns {
            for i in 0..<rows { t[j, i] = self[i, j] }
        }
        return t
    }

    /// One column as an array.
    public func column(_ j: Int) -> [Double] {
        Array(UnsafeBufferPointer(start: storage + j * rows, count: rows))
    }

    /// Copies the lower triangle onto the upper one (after routines that only fill one triangle).
    public func symmetrizeFromLower() {
        precondition(rows == columns)
        let n = rows
        for j in 0..<n {
            for i in (j + 1)..<max(n, j + 1) { storage[i * n + j] = storage[j * n + i] }
        }
    }
}
