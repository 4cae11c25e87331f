#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes 2-D float arrays as `.npy` (format 1.0, little-endian, C order), streaming row by row so that a
/// multi-gigabyte synthetic dump never has to exist in memory at once.
///
/// The array goes to a temporary file in the target's directory, which is renamed over the target only
/// once every byte is written: an interrupted or failed write never leaves a truncated `.npy` behind that
/// a later run would mistake for data.
public enum NPYWriter {
    /// Output is flushed in chunks of about this size; large enough to amortise system calls, small enough
    /// to stay in cache while converting.
    static let chunkBytes = 1 << 20

    /// Writes `rows × columns` values of `scalar`; `fill(row, buffer)` fills one row (`columns` doubles),
    /// which is converted to `scalar` on the way out.
    ///
    /// `fill` is called exactly once per row, in order `0, 1, …, rows − 1`, so a caller may compute rows in
    /// blocks and hand them out one at a time. If it throws, the partial file is removed and the error is
    /// rethrown unchanged. Conversion to float16/float32 rounds to nearest; values beyond the type's range
    /// become ±infinity (as NumPy's `astype` does).
    public static func write(
        path: String, rows: Int, columns: Int, scalar: NPYScalar,
        fill: (_ row: Int, _ buffer: UnsafeMutableBufferPointer<Double>) throws -> Void
    ) throws {
        guard rows >= 0, columns >= 0 else {
            throw NPYError(path: path, problem: "cannot write a negative shape (\(rows), \(columns))")
        }
        let (cells, o1) = rows.multipliedReportingOverflow(by: columns)
        let (_, o2) = cells.multipliedReportingOverflow(by: scalar.byteCount)
        guard !o1, !o2 else { throw NPYError(path: path, problem: "shape (\(rows), \(columns)) overflows a 64-bit byte count") }

        let header = headerBytes(rows: rows, columns: columns, scalar: scalar)
        let temporary = temporaryPath(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw NPYError(path: path, problem: "cannot create the temporary file \(temporary): \(NPYFile.errnoText())")
        }
        var closed = false
        var succeeded = false
        defer {
            if !closed { close(fd) }
            if !succeeded { unlink(temporary) }
        }

        try writeAll(fd: fd, header, path: path)
        if columns > 0 && rows > 0 {
            let rowBuffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: columns)
            defer { rowBuffer.deallocate() }
            let rowBytes = columns * scalar.byteCount
            let rowsPerChunk = max(1, chunkBytes / rowBytes)
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: rowsPerChunk * rowBytes, alignment: 16)
            defer { chunk.deallocate() }
            var used = 0
            for row in 0..<rows {
                rowBuffer.initialize(repeating: 0)
                try fill(row, rowBuffer)
                convert(UnsafeBufferPointer(rowBuffer), to: scalar, into: chunk.baseAddress! + used)
                used += rowBytes
                if used + rowBytes > chunk.count || row == rows - 1 {
                    try writeAll(fd: fd, UnsafeRawBufferPointer(rebasing: chunk[0..<used]), path: path)
                    used = 0
                }
            }
        }
        closed = true
        if close(fd) != 0 {
            throw NPYError(path: path, problem: "closing \(temporary) failed: \(NPYFile.errnoText())")
        }
        if rename(temporary, path) != 0 {
            throw NPYError(path: path, problem: "cannot rename \(temporary) to the target: \(NPYFile.errnoText())")
        }
        succeeded = true
    }

    /// The format 1.0 preamble and header, padded with spaces and a final newline so that the data starts
    /// at a multiple of 64 bytes (what NumPy ≥ 1.14 does; it keeps every row of a float64 array aligned).
    public static func headerBytes(rows: Int, columns: Int, scalar: NPYScalar) -> [UInt8] {
        let descr = switch scalar { case .float16: "<f2"; case .float32: "<f4"; case .float64: "<f8" }
        var dict = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(rows), \(columns)), }".utf8)
        let unpadded = 10 + dict.count + 1
        let padding = (64 - unpadded % 64) % 64
        dict += [UInt8](repeating: 0x20, count: padding)
        dict.append(0x0A)
        let length = dict.count
        precondition(length <= Int(UInt16.max), "header too long for format 1.0")
        return NPYHeader.magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + dict
    }

    /// Converts doubles to little-endian `scalar` values at `out` (which need not be aligned).
    static func convert(_ values: UnsafeBufferPointer<Double>, to scalar: NPYScalar, into out: UnsafeMutableRawPointer) {
        switch scalar {
        case .float64:
            for (i, v) in values.enumerated() { out.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: i * 8, as: UInt64.self) }
        case .float32:
            for (i, v) in values.enumerated() { out.storeBytes(of: Float(v).bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
        case .float16:
            for (i, v) in values.enumerated() { out.storeBytes(of: Float16(v).bitPattern.littleEndian, toByteOffset: i * 2, as: UInt16.self) }
        }
    }

    static func writeAll(fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in try writeAll(fd: fd, raw, path: path) }
    }

    static func writeAll(fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < bytes.count {
            #if canImport(Glibc)
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            #else
            let n = Darwin.write(fd, bytes.baseAddress! + done, bytes.count - done)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                throw NPYError(path: path, problem: "write failed after \(done) bytes of a \(bytes.count)-byte chunk: \(NPYFile.errnoText())")
            }
            done += n
        }
    }

    /// `dir/.name.tmp-PID-RANDOM`: same directory (so `rename` is atomic), hidden, unique per process.
    static func temporaryPath(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(directory).\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }
}
