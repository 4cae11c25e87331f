import RankProbeNPY

extension NPYFile {
    /// Reads element `(row, column)` as a Double, honouring dtype, byte order and memory order.
    @inline(__always)
    public func element(_ row: Int, _ column: Int) -> Double {
        let index = fortranOrder ? column &* rows &+ row : row &* columns &+ column
        return Self.load(scalar, byteSwapped, data, index)
    }

    @inline(__always)
    static func load(_ scalar: NPYScalar, _ swapped: Bool, _ data: UnsafeRawPointer, _ index: Int) -> Double {
        switch scalar {
        case .float32:
            let bits = data.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self)
            return Double(Float(bitPattern: swapped ? bits.byteSwapped : bits))
        case .float64:
            let bits = data.loadUnaligned(fromByteOffset: index &* 8, as: UInt64.self)
            return Double(bitPattern: swapped ? bits.byteSwapped : bits)
        case .float16:
            let bits = data.loadUnaligned(fromByteOffset: index &* 2, as: UInt16.self)
            return Double(Float16(bitPattern: swapped ? bits.byteSwapped : bits))
        }
    }

    /// Copies `columns` of one row into `out` as `value − shift`.
    ///
    /// Specialised per dtype outside the inner loop: this is the hot path of the Gram accumulation.
    public func copyRow(_ row: Int, columns range: Range<Int>, into out: UnsafeMutableBufferPointer<Double>, shift: Double) {
        let n = range.count
        precondition(out.count >= n)
        if fortranOrder {
            for (k, c) in range.enumerated() { out[k] = element(row, c) - shift }
            return
        }
        let start = row &* columns &+ range.lowerBound
        Self.convert(data + start &* scalar.byteCount, count: n, scalar: scalar, swapped: byteSwapped, into: out, shift: shift)
    }

    /// Converts `count` stored elements at `p` to `value − shift` in `out`: the dtype loop shared by the
    /// mapped path (`copyRow`) and the streaming path (bytes read with `pread`).
    public static func convert(
        _ p: UnsafeRawPointer, count n: Int, scalar: NPYScalar, swapped: Bool,
        into out: UnsafeMutableBufferPointer<Double>, shift: Double
    ) {
        switch scalar {
        case .float32:
            if swapped {
                for k in 0..<n {
                    out[k] = Double(Float(bitPattern: p.loadUnaligned(fromByteOffset: k &* 4, as: UInt32.self).byteSwapped)) - shift
                }
            } else {
                for k in 0..<n { out[k] = Double(p.loadUnaligned(fromByteOffset: k &* 4, as: Float.self)) - shift }
            }
        case .float64:
            if swapped {
                for k in 0..<n {
                    out[k] = Double(bitPattern: p.loadUnaligned(fromByteOffset: k &* 8, as: UInt64.self).byteSwapped) - shift
                }
            } else {
                for k in 0..<n { out[k] = p.loadUnaligned(fromByteOffset: k &* 8, as: Double.self) - shift }
            }
        case .float16:
            for k in 0..<n {
                let bits = p.loadUnaligned(fromByteOffset: k &* 2, as: UInt16.self)
                out[k] = Double(Float16(bitPattern: swapped ? bits.byteSwapped : bits)) - shift
            }
        }
    }

    /// Byte range (relative to `data`) holding `columns` of `row`, for releasing pages once read.
    public func byteRange(row: Int, columns range: Range<Int>) -> Range<Int> {
        let size = scalar.byteCount
        if fortranOrder {
            return (range.lowerBound * rows * size)..<(range.upperBound * rows * size)
        }
        let start = (row * columns + range.lowerBound) * size
        return start..<(start + range.count * size)
    }
}
