#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import _JSONShims
import _SystemShims

/// One line of a log file: a byte range of the reader's buffer.
struct LineSpan: Sendable {
    var start: Int
    var count: Int
    /// 1-based line number in the (decompressed) file.
    var line: Int
    /// False for a last line that ended without a newline.
    var terminated: Bool
}

/// Streams a (possibly gzip-compressed) file as lines without holding the whole file.
///
/// Memory is one buffer of `chunkBytes` that grows only to fit a long line, and never past `maxLineBytes`:
/// a longer line is skipped as it streams past (reported, not loaded). Compression is detected by content
/// (zlib's transparent mode), never by file name. The buffer keeps `RP_JSON_PADDING` readable bytes after
/// the data so simdjson can parse lines in place, without a copy.
final class LineReader {
    let path: String
    let maxLineBytes: Int
    private let handle: UnsafeMutableRawPointer
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var filled = 0
    /// Bytes at the front already handed out as lines (kept until the next call).
    private var consumed = 0
    private var nextLine = 1
    private var atEOF = false
    private var skippingLongLine: (line: Int, bytes: Int)?
    /// Decompressed bytes read so far.
    private(set) var bytesRead = 0
    /// A read error after which the rest of the file is unavailable (e.g. a truncated gzip stream).
    private(set) var streamError: String?
    let isCompressed: Bool

    static let padding = Int(RP_JSON_PADDING)

    init(path: String, chunkBytes: Int = 4 << 20, maxLineBytes: Int = 64 << 20) throws(LogReadError) {
        guard let h = rp_gz_open(path) else {
            throw .cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        self.path = path
        self.handle = h
        self.maxLineBytes = maxLineBytes
        self.capacity = max(1024, min(chunkBytes, maxLineBytes + 1))
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity + Self.padding, alignment: 64)
        self.isCompressed = rp_gz_is_compressed(h) != 0
    }

    deinit {
        rp_gz_close(handle)
        buffer.deallocate()
    }

    /// Base address of the current block; spans index into it. Valid until the next `nextBlock`.
    var base: UnsafeRawPointer { UnsafeRawPointer(buffer) }
    /// Readable bytes from `offset` to the end of the allocation (for simdjson's padding rule).
    func readable(from offset: Int) -> Int { capacity + Self.padding - offset }

    /// Fills `lines` with the next complete lines (blank lines are dropped, numbers still advance) and
    /// `oversized` with lines that exceeded `maxLineBytes`. Returns false at end of file.
    func nextBlock(lines: inout [LineSpan], oversized: inout [(line: Int, bytes: Int)]) -> Bool {
        lines.removeAll(keepingCapacity: true)
        oversized.removeAll(keepingCapacity: true)
        if pendingReset { filled = 0; consumed = 0; pendingReset = false }
        // The previous block's spans are dead now: move the unfinished tail to the front.
        compact()
        while true {
            if filled < capacity && !atEOF { fill() }
            var cursor = 0
            while cursor < filled {
                let p = buffer + cursor
                guard let nl = memchr(p, 0x0A, filled - cursor) else { break }
                let end = UnsafeRawPointer(nl) - UnsafeRawPointer(buffer)
                if let skipped = skippingLongLine {
                    oversized.append((skipped.line, skipped.bytes + end - cursor))
                    skippingLongLine = nil
                } else {
                    emit(start: cursor, end: end, terminated: true, into: &lines)
                }
                nextLine += 1
                cursor = end + 1
            }
            consumed = cursor
            if !lines.isEmpty || !oversized.isEmpty {
                if atEOF && filled > consumed { finishTail(into: &lines, oversized: &oversized) }
                return true
            }
            // Nothing complete yet: no span points into the buffer, so it can be compacted right away.
            compact()
            if atEOF {
                if filled > 0 || skippingLongLine != nil {
                    finishTail(into: &lines, oversized: &oversized)
                    return true
                }
                return false
            }
            if filled == capacity {
                // No newline in a full buffer: grow up to the limit, then switch to skipping.
                if skippingLongLine != nil {
                    skippingLongLine!.bytes += filled
                    filled = 0
                } else if capacity <= maxLineBytes {
                    grow(to: min(capacity * 2, maxLineBytes + 1))
                } else {
                    skippingLongLine = (nextLine, filled)
                    filled = 0
                }
            }
        }
    }

    private func compact() {
        guard consumed > 0 else { return }
        let tail = filled - consumed
        if tail > 0 { memmove(buffer, buffer + consumed, tail) }
        filled = tail
        consumed = 0
    }

    private func finishTail(into lines: inout [LineSpan], oversized: inout [(line: Int, bytes: Int)]) {
        if let skipped = skippingLongLine {
            oversized.append((skipped.line, skipped.bytes + filled - consumed))
            skippingLongLine = nil
        } else if filled > consumed {
            emit(start: consumed, end: filled, terminated: false, into: &lines)
        }
        nextLine += 1
        // The span stays readable until the next call; the buffer is emptied then.
        pendingReset = true
    }

    private var pendingReset = false

    private func emit(start: Int, end: Int, terminated: Bool, into lines: inout [LineSpan]) {
        var e = end
        if e > start && buffer.load(fromByteOffset: e - 1, as: UInt8.self) == 0x0D { e -= 1 }
        var s = start
        while s < e {
            let c = buffer.load(fromByteOffset: s, as: UInt8.self)
            if c != 0x20 && c != 0x09 && c != 0x0D { break }
            s += 1
        }
        if s == e { return }
        lines.append(LineSpan(start: s, count: e - s, line: nextLine, terminated: terminated))
    }

    private func fill() {
        while filled < capacity && !atEOF {
            let want = UInt32(min(capacity - filled, 1 << 30))
            let n = rp_gz_read(handle, buffer + filled, want)
            if n < 0 {
                streamError = String(cString: rp_gz_error(handle))
                atEOF = true
            } else if n == 0 {
                atEOF = true
            } else {
                filled += Int(n)
                bytesRead += Int(n)
                if Int(n) < Int(want) { continue }
                return
            }
        }
    }

    private func grow(to newCapacity: Int) {
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: newCapacity + Self.padding, alignment: 64)
        fresh.copyMemory(from: buffer, byteCount: filled)
        buffer.deallocate()
        buffer = fresh
        capacity = newCapacity
    }

    /// Reads the whole (decompressed) file into one padded buffer, or returns nil when it is larger than
    /// `limit` bytes. Used for whole-file `.json` documents.
    static func readWhole(path: String, limit: Int) throws(LogReadError) -> (UnsafeMutableRawBufferPointer, count: Int)? {
        guard let h = rp_gz_open(path) else {
            throw .cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        defer { rp_gz_close(h) }
        var cap = 1 << 20
        var buf = UnsafeMutableRawPointer.allocate(byteCount: cap + padding, alignment: 64)
        var count = 0
        while true {
            if count == cap {
                if cap > limit { buf.deallocate(); return nil }
                let fresh = UnsafeMutableRawPointer.allocate(byteCount: cap * 2 + padding, alignment: 64)
                fresh.copyMemory(from: buf, byteCount: count)
                buf.deallocate()
                buf = fresh
                cap *= 2
            }
            let n = rp_gz_read(h, buf + count, UInt32(min(cap - count, 1 << 30)))
            if n < 0 {
                let message = String(cString: rp_gz_error(h))
                buf.deallocate()
                throw .io(file: path, message: message)
            }
            if n == 0 { break }
            count += Int(n)
        }
        if count > limit { buf.deallocate(); return nil }
        return (UnsafeMutableRawBufferPointer(start: buf, count: cap + padding), count)
    }
}
