import Dispatch
import RankProbeLinearAlgebra
import RankProbeMatrix

extension CentredGram {
    /// The Gram of the sketched samples `(Y S)(Y S)ᵀ`, from one pass over the data.
    ///
    /// The pass is the exact route's: column blocks are read with `pread` (C order) or from the mapping
    /// (Fortran order, released behind the reader) and converted to shifted float64 by both cores; each
    /// core then adds its rows of the block into the N × m sketch Z (row-major, so one sample's m sums —
    /// 70 KB at m = 8800 — stay in cache while its tokens are scattered into them). Nothing of the input
    /// stays resident: memory is Z (N·m·8 bytes), the N × N Gram and one block, whatever V is. Then
    /// Z ← Z − e uᵀ (the exact row centring, see `TokenSketch`) and one `dsyrk` on N × m.
    ///
    /// Accumulation is float64 throughout for the reason the exact Gram's is.
    public convenience init(_ source: SampleSource, scan: FinitenessScan, sketch: TokenSketch) {
        precondition(sketch.columns == scan.keptColumns.count, "the sketch must cover the kept columns")
        let begin = ContinuousClock.now
        let n = scan.keptRows.count, m = sketch.width, v = scan.keptColumns.count
        let z = SketchBuffer(count: max(n * m, 1))
        defer { z.pointer.deallocate() }
        let b = Self.blockColumns
        let converter = BlockConverter(source: source, scan: scan, n: n, capacity: b)
        defer { converter.deallocate() }
        var residualSum = [Double](repeating: 0, count: n)
        sketch.bucket.withUnsafeBufferPointer { bucket in
            sketch.weight.withUnsafeBufferPointer { weight in
                let map = SketchMap(bucket: bucket.baseAddress!, weight: weight.baseAddress!)
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
