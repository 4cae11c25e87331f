/// A sample matrix held in memory: `rows × columns` float64, row-major, one row per prompt.
///
/// This is what the log reader assembles from recorded API traffic (where the matrix is at most a few
/// thousand squared and must be built entry by entry anyway). Full-vocabulary dumps stay memory-mapped
/// (`NPYFile`) and never become a `DenseSamples`.
public struct DenseSamples: Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    /// Row-major values; `values[r * columns + c]`.
    public var values: [Double]
    /// Optional names of the columns (token ids or strings), `columns` long.
    public var columnLabels: [String]?
    /// Optional names of the rows (prompt digests), `rows` long.
    public var rowLabels: [String]?

    public init(rows: Int, columns: Int, values: [Double], columnLabels: [String]? = nil, rowLabels: [String]? = nil) {
        precondition(values.count == rows * columns, "DenseSamples: \(values.count) values for \(rows)×\(columns)")
        self.rows = rows; self.columns = columns; self.values = values
        self.columnLabels = columnLabels; self.rowLabels = rowLabels
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }
}
