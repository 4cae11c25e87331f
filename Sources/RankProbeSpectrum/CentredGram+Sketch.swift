import Dispatch
import RankProbeLinearAlgebra
import RankProbeMatrix

extension CentredGram {
    /// The Gram of the sketched samples `(Y S)(Y S)ᵀ`, from one pass over the data.
    ///
    /// Each sample's sketch row depends on that sample alone (z_k = Σ_t w_t x_kt e_h(t)), so when rows are
    /// contiguous (C-ordered files, samples in memory) both cores stream their halves of the rows: a row is
    /// read with `pread` in chunks of `rowChunk` columns into a small per-core buffer, converted to shifted
    /// float64, and scattered into that sample's m sums (70 KB at m = 8800) while all of it is in cache.
    /// Nothing else is written: the exact route's N × 2048 float64 block (72 MB at N = 4400, written once
    /// and read once per block) is not needed. Fortran-ordered files hold columns contiguously and are read
    /// by column block, as the exact route reads them (released behind the reader). Either way nothing of
    /// the input stays resident: memory is Z (N·m·8 bytes), the N × N Gram and the buffers, whatever V is.
    /// Then Z ← Z − e uᵀ (the exact row centring, see `TokenSketch`) and one `dsyrk` on N × m.
    ///
    /// Accumulation is float64 throughout for the reason the exact Gram's is.
    public convenience init(_ source: SampleSource, scan: FinitenessScan, sketch: TokenSketch) {
        precondition(sketch.columns == scan.keptColumns.count, "the sketch must cover the kept columns")
        let begin = ContinuousClock.now
        let n = scan.keptRows.count, m = sketch.width, v = scan.keptColumns.count
        let z = SketchBuffer(count: max(n * m, 1))
        defer { z.pointer.deallocate() }
        let byRow = BlockConverter.rowsAreContiguous(source)
        let b = byRow ? 0 : Self.blockColumns
        let converter = BlockConverter(source: source, scan: scan, n: n, capacity: b)
        defer { converter.deallocate() }
        var residualSum = [Double](repeating: 0, count: n)
        sketch.bucket.withUnsafeBufferPointer { bucket in
            sketch.weight.withUnsafeBufferPointer { weight in
                let map = SketchMap(bucket: bucket.baseAddress!, weight: weight.baseAddress!)
                if byRow {
                    DispatchQueue.concurrentPerform(iterations: BlockConverter.parts) { part in
                        let rows = (n * part / BlockConverter.parts)..<(n * (part + 1) / BlockConverter.parts)
                        let chunk = UnsafeMutableBufferPointer<Double>.allocate(capacity: min(Self.rowChunk, max(v, 1)))
                        defer { chunk.deallocate() }
                        for k in rows {
                            var total = 0.0
                            for start in stride(from: 0, to: v, by: Self.rowChunk) {
                                let range = start..<min(start + Self.rowChunk, v)
                                let out = UnsafeMutableBufferPointer(rebasing: chunk[0..<range.count])
                                total += converter.convert(row: k, range, part: part, into: out)
                                map.scatter(UnsafePointer(chunk.baseAddress!), width: range.count, first: start,
                                            rows: 0..<1, into: z.pointer + k * m, m: m)
                            }
                            converter.sums[k] = total
                        }
                    }
                    for k in 0..<n { residualSum[k] = converter.sums[k] }
                    return
                }
                for start in stride(from: 0, to: v, by: b) {
                    let range = start..<min(start + b, v)
                    DispatchQueue.concurrentPerform(iterations: BlockConverter.parts) { part in
                        let rows = (n * part / BlockConverter.parts)..<(n * (part + 1) / BlockConverter.parts)
                        converter.convert(range, rows: rows, part: part)
                        map.scatter(converter.block.baseAddress!, width: range.count, first: start, rows: rows,
                                    into: z.pointer, m: m)
                    }
                    converter.releaseColumnMajor(range)
                    for k in 0..<n { residualSum[k] += converter.sums[k] }
                }
            }
        }
        // Row centring: Y S = X'S − e uᵀ, e the residual row means of the shifted values, u = Sᵀ1.
        let dv = Double(max(v, 1))
        for k in 0..<n {
            let e = residualSum[k] / dv
            let row = z.pointer + k * m
            for j in 0..<m { row[j] -= e * sketch.bucketSums[j] }
        }
        let storage = UnsafeMutablePointer<Double>.allocate(capacity: max(n * n, 1))
        storage.initialize(repeating: 0, count: max(n * n, 1))
        // Z is row-major N × m, i.e. column-major m × N: the layout the block Gram already uses.
        LinearAlgebra.accumulateGramLower(n: n, k: m, a: z.pointer, lda: m, into: storage, beta: 0)
        self.init(scan: scan, n: n, columns: v, rowCentredLower: storage, sketch: sketch, since: begin)
    }

    /// Columns of one row converted and scattered at a time on the row-streaming path: few enough that
    /// the float32 bytes and their float64 conversion (384 KB) stay in a core's cache beside its sketch row,
    /// many enough that a row takes a handful of `pread` calls.
    static let rowChunk = 16384
}

/// The sketch matrix Z, zeroed; parts write disjoint rows, so it is shared without a lock.
private struct SketchBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>
    init(count: Int) {
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }
}

/// The sketch's bucket and weight per kept column, as raw pointers for the scatter loop.
private struct SketchMap: @unchecked Sendable {
    let bucket: UnsafePointer<Int32>
    let weight: UnsafePointer<Double>

    /// Adds rows `rows` of a converted block (row k at `block + k·width`, kept columns first..<first+width)
    /// into their sketch rows.
    @inline(__always)
    func scatter(_ block: UnsafePointer<Double>, width: Int, first: Int, rows: Range<Int>,
                 into z: UnsafeMutablePointer<Double>, m: Int) {
        let h = bucket + first, w = weight + first
        for k in rows {
            let src = block + k * width
            let dst = z + k * m
            for t in 0..<width { dst[Int(h[t])] += w[t] * src[t] }
        }
    }
}
