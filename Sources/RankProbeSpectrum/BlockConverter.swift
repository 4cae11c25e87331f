#if canImport(Glibc)
import Glibc
#endif
import RankProbeMatrix
import RankProbeNPY

/// Finds the file holding a global row and copies or releases parts of it.
struct RowLocator: @unchecked Sendable {
    let source: SampleSource
    let offsets: [Int]

    init(_ source: SampleSource) {
        self.source = source
        if case .mapped(let files) = source {
            var o: [Int] = []
            var acc = 0
            for f in files { o.append(acc); acc += f.rows }
            offsets = o
        } else {
            offsets = [0]
        }
    }

    @inline(__always)
    func locate(_ row: Int) -> Int {
        var i = offsets.count - 1
        while offsets[i] > row { i -= 1 }
        return i
    }

    func copy(row: Int, columns: Range<Int>, into out: UnsafeMutableBufferPointer<Double>, shift: Double) {
        switch source {
        case .dense(let d):
            d.values.withUnsafeBufferPointer { src in
                let base = row * d.columns
                for (k, c) in columns.enumerated() { out[k] = src[base + c] - shift }
            }
        case .mapped(let files):
            let f = locate(row)
            files[f].copyRow(row - offsets[f], columns: columns, into: out, shift: shift)
        }
    }

    /// Releases the pages of one row's columns in a C-ordered file (they are not read again).
    func release(row: Int, columns: Range<Int>) {
        guard case .mapped(let files) = source else { return }
        let f = locate(row)
        if !files[f].fortranOrder { files[f].release(files[f].byteRange(row: row - offsets[f], columns: columns)) }
    }

    /// Releases whole column blocks of Fortran-ordered files, once every row has been read from them.
    func releaseColumnMajor(columns: Range<Int>) {
        guard case .mapped(let files) = source else { return }
        for file in files where file.fortranOrder { file.release(file.byteRange(row: 0, columns: columns)) }
    }
}

/// Converts column blocks of the kept samples to shifted float64, column-major (block × N), and records
/// each row's sum of the converted values (for the exact centring).
///
/// `parts` threads convert disjoint row ranges of one block at once; each has its own read and gather
/// buffers (`part`), and they write disjoint rows of `block` and `sums`, which is why nothing is locked.
final class BlockConverter: @unchecked Sendable {
    static let parts = 2
    let source: SampleSource
    let scan: FinitenessScan
    let locator: RowLocator
    let n: Int
    let block: UnsafeMutableBufferPointer<Double>
    /// Row sums of the current block.
    let sums: UnsafeMutableBufferPointer<Double>
    /// Per-part scratch for gathering non-contiguous kept columns.
    let scratch: [UnsafeMutableBufferPointer<Double>]
    /// Per-part byte buffers and one descriptor per mapped file, for reading C-ordered rows with `pread`.
    let raw: [UnsafeMutableRawPointer]
    let descriptors: [Int32]

    init(source: SampleSource, scan: FinitenessScan, n: Int, capacity: Int) {
        self.source = source
        self.scan = scan
        self.locator = RowLocator(source)
        self.n = n
        block = .allocate(capacity: max(capacity * n, 1))
        sums = .allocate(capacity: max(n, 1))
        sums.initialize(repeating: 0)
        scratch = (0..<Self.parts).map { _ in .allocate(capacity: max(source.columns, 1)) }
        raw = (0..<Self.parts).map { _ in .allocate(byteCount: max(source.columns, 1) * 8, alignment: 64) }
        if case .mapped(let files) = source {
            descriptors = files.map { open($0.path, O_RDONLY) }
        } else {
            descriptors = []
        }
    }

    func deallocate() {
        block.deallocate()
        sums.deallocate()
        for buffer in scratch { buffer.deallocate() }
        for buffer in raw { buffer.deallocate() }
        for fd in descriptors where fd >= 0 { close(fd) }
    }

    /// Reads columns `lo..<hi` of a C-ordered mapped row with `pread` and converts them.
    ///
    /// Why not through the mapping: touching mapped pages makes the kernel map up to 64 KB around each
    /// fault, so keeping the resident set small meant releasing and re-faulting every row for every block
    /// (a tenth of the Gram's time when measured, far more than the copy it saves). `pread` copies from the page cache into one reusable buffer:
    /// no faults, nothing to release, and the page cache does not count as this process's memory.
    /// Returns false when the row is not C-ordered mapped data or the read fails (the caller then uses
    /// the mapping).
    func pread(row r: Int, columns: Range<Int>, part: Int, into out: UnsafeMutableBufferPointer<Double>, shift: Double) -> Bool {
        guard case .mapped(let files) = source else { return false }
        let f = locator.locate(r)
        let file = files[f]
        guard !file.fortranOrder, descriptors[f] >= 0 else { return false }
        let range = file.byteRange(row: r - locator.offsets[f], columns: columns)
        var done = 0
        while done < range.count {
            let got = Glibc.pread(descriptors[f], raw[part] + done, range.count - done,
                                  off_t(file.dataOffset + range.lowerBound + done))
            if got <= 0 { return false }
            done += got
        }
        NPYFile.convert(UnsafeRawPointer(raw[part]), count: columns.count, scalar: file.scalar,
                        swapped: file.byteSwapped, into: out, shift: shift)
        return true
    }

    /// Releases the pages of block `range` (kept-column indices) in Fortran-ordered files.
    func releaseColumnMajor(_ range: Range<Int>) {
        let cols = scan.keptColumns
        locator.releaseColumnMajor(columns: cols[range.lowerBound]..<(cols[range.upperBound - 1] + 1))
    }

    /// Converts kept rows `rows` (indices into `scan.keptRows`) of column block `range` into `block`.
    func convert(_ range: Range<Int>, rows: Range<Int>, part: Int) {
        let width = range.count
        for k in rows {
            let column = UnsafeMutableBufferPointer(rebasing: block[(k * width)..<(k * width + width)])
            sums[k] = convert(row: k, range, part: part, into: column)
        }
    }

    /// Whether whole rows can be read one after another cheaply: C-ordered files (a row is contiguous)
    /// or samples in memory. Fortran-ordered files hold columns contiguously, so they are read by block.
    static func rowsAreContiguous(_ source: SampleSource) -> Bool {
        guard case .mapped(let files) = source else { return true }
        return files.allSatisfy { !$0.fortranOrder }
    }

    /// Converts kept row `k`, kept columns `range`, to shifted float64 in `out` (count `range.count`), using
    /// part `part`'s buffers; returns the sum of the converted values.
    func convert(row k: Int, _ range: Range<Int>, part: Int, into out: UnsafeMutableBufferPointer<Double>) -> Double {
        let cols = scan.keptColumns
        let width = range.count
        let lo = cols[range.lowerBound], hi = cols[range.upperBound - 1] + 1
        let contiguous = hi - lo == width
        let r = scan.keptRows[k]
        let shift = scan.rowShift[k]
        let target = contiguous ? out : UnsafeMutableBufferPointer(rebasing: scratch[part][0..<(hi - lo)])
        let streamed = pread(row: r, columns: lo..<hi, part: part, into: target, shift: shift)
        if !streamed { locator.copy(row: r, columns: lo..<hi, into: target, shift: shift) }
        if !contiguous {
            for t in 0..<width { out[t] = target[cols[range.lowerBound + t] - lo] }
        }
        var s = 0.0
        for t in 0..<width { s += out[t] }
        if !streamed {
            // Release the whole row, not just this block: the kernel's fault-around maps up to 64 KB
            // of cached pages past each fault, which would otherwise leave N × 64 KB (280 MB at
            // N = 4400) of rows mapped ahead of the reader. The next block faults its pages back in
            // from the page cache (minor faults, no I/O).
            locator.release(row: r, columns: 0..<source.columns)
        }
        return s
    }
}
