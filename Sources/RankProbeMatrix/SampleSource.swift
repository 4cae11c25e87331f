import RankProbeNPY

/// The samples a spectrum is computed from: memory-mapped `.npy` dumps stacked by rows, or a matrix the log
/// reader assembled in memory.
///
/// Everything downstream reads through `readBlock`, which hands out float64 copies of column ranges; the
/// mapped files themselves are never converted as a whole (a 4400 × 32000 float32 dump is 563 MB; its
/// float64 copy would double that).
public enum SampleSource: @unchecked Sendable {
    case mapped([NPYFile])
    case dense(DenseSamples)

    /// Maps `.npy` files and stacks them as rows. All files must have the same number of columns.
    public static func load(paths: [String]) throws -> SampleSource {
        precondition(!paths.isEmpty)
        var files: [NPYFile] = []
        for path in paths {
            let file = try NPYFile(path: path)
            if let first = files.first, first.columns != file.columns {
                throw NPYError(
                    path: path,
                    problem: "has \(file.columns) columns but \(first.path) has \(first.columns); stacked dumps must cover the same tokens")
            }
            files.append(file)
        }
        return .mapped(files)
    }

    public var rows: Int {
        switch self {
        case .mapped(let files): files.reduce(0) { $0 + $1.rows }
        case .dense(let d): d.rows
        }
    }

    public var columns: Int {
        switch self {
        case .mapped(let files): files.first?.columns ?? 0
        case .dense(let d): d.columns
        }
    }

    /// Labels of the columns when known (token ids/strings from logs); nil for dumps (column = token id).
    public var columnLabels: [String]? {
        if case .dense(let d) = self { return d.columnLabels }
        return nil
    }

    /// Copies rows `rowRange` (all columns, raw values including non-finite ones) into `out`, row-major.
    public func readRows(_ rowRange: Range<Int>, into out: UnsafeMutableBufferPointer<Double>) {
        let v = columns
        precondition(out.count >= rowRange.count * v)
        switch self {
        case .dense(let d):
            d.values.withUnsafeBufferPointer { src in
                for (k, r) in rowRange.enumerated() {
                    for c in 0..<v { out[k * v + c] = src[r * v + c] }
                }
            }
        case .mapped(let files):
            var base = 0
            for file in files {
                let local = rowRange.clamped(to: base..<(base + file.rows))
                for r in local {
                    let k = r - rowRange.lowerBound
                    let dst = UnsafeMutableBufferPointer(rebasing: out[(k * v)..<(k * v + v)])
                    file.copyRow(r - base, columns: 0..<v, into: dst, shift: 0)
                }
                base += file.rows
            }
        }
    }
}
