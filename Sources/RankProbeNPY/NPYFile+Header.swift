#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The validated header of a 2-D floating-point `.npy` file.
///
/// Layout (NumPy's `format.py`): the 6-byte magic `\x93NUMPY`, major and minor version bytes, the header
/// length (little-endian uint16 for 1.0, uint32 for 2.0 and 3.0), then the header: a Python dict literal
/// with keys `descr`, `fortran_order` and `shape`, padded with spaces and a newline. 3.0 differs from 2.0
/// only in allowing UTF-8 in the header.
struct NPYHeader {
    var scalar: NPYScalar
    var byteSwapped: Bool
    var fortranOrder: Bool
    var rows: Int
    var columns: Int
    var dataOffset: Int
    var dataBytes: Int

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
    /// NumPy itself refuses headers over 10 000 bytes by default; 1 MiB leaves room for odd writers while
    /// keeping a corrupt length field from making us read gigabytes.
    static let maxHeaderLength = 1 << 20
    /// No real log-probability dump comes near 2^48 bytes (256 TiB); a header that claims more is corrupt.
    static let maxDataBytes = 1 << 48

    /// Reads and validates the preamble and header of the open file `fd`.
    static func read(fd: Int32, fileSize: Int, path: String) throws(NPYError) -> NPYHeader {
        if fileSize == 0 { throw NPYError(path: path, problem: "file is empty (0 bytes), not a .npy file") }
        let preamble = try readBytes(fd: fd, offset: 0, count: min(fileSize, 12), path: path)

        let magicPart = Array(preamble.prefix(6))
        if magicPart != Array(magic.prefix(magicPart.count)) {
            var problem = "not a .npy file: it does not start with the magic string \\x93NUMPY"
            if preamble.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
                problem += " (it is a zip archive — an .npz? extract the array with numpy first)"
            } else if preamble.starts(with: [0x1F, 0x8B]) {
                problem += " (it is gzip-compressed; decompress it first)"
            }
            throw NPYError(path: path, offset: 0, problem: problem)
        }
        if fileSize < 8 {
            throw NPYError(path: path, offset: fileSize, problem: "file is truncated: it ends at byte \(fileSize), inside the 8-byte magic and version")
        }
        let major = preamble[6], minor = preamble[7]
        let lengthBytes: Int
        switch (major, minor) {
        case (1, 0): lengthBytes = 2
        case (2, 0), (3, 0): lengthBytes = 4
        default:
            throw NPYError(path: path, offset: 6, problem: "unsupported .npy format version \(major).\(minor) (rankprobe reads 1.0, 2.0 and 3.0)")
        }
        let headerStart = 8 + lengthBytes
        if fileSize < headerStart {
            throw NPYError(path: path, offset: fileSize, problem: "file is truncated: it ends at byte \(fileSize), inside the header length field")
        }
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(preamble[8 + i]) << (8 * i) }
        if headerLength > maxHeaderLength {
            throw NPYError(path: path, offset: 8, problem: "header length \(headerLength) bytes is implausibly large (corrupt file?)")
        }
        let dataOffset = headerStart + headerLength
        if dataOffset > fileSize {
            throw NPYError(
                path: path, offset: fileSize,
                problem: "header truncated: the header declares \(headerLength) bytes (ending at byte \(dataOffset)) but the file ends at byte \(fileSize)")
        }
        let headerBytes = try readBytes(fd: fd, offset: headerStart, count: headerLength, path: path)

        let literal: PythonLiteral
        do {
            literal = try PythonLiteralParser.parse(headerBytes, utf8: major >= 3, longSuffix: major <= 2)
        } catch {
            throw NPYError(path: path, offset: headerStart + error.index, problem: "malformed header: \(error.message)")
        }
        guard case .dict(let entries) = literal else {
            throw NPYError(path: path, offset: headerStart, problem: "header is not a dict literal (found \(literal.summary))")
        }
        func entry(_ key: String) throws(NPYError) -> PythonLiteral {
            guard let v = entries.first(where: { $0.key == key })?.value else {
                let present = entries.map { PythonLiteral.quoted($0.key) }.joined(separator: ", ")
                throw NPYError(path: path, offset: headerStart,
                               problem: "header dict is missing the key '\(key)' (it has \(present.isEmpty ? "no keys" : present))")
            }
            return v
        }
        // numpy requires exactly these three keys and refuses a header with any other (its "Header does not
        // contain the correct keys"); rankprobe does the same rather than guess what an extra key means.
        if let extra = entries.first(where: { !["descr", "fortran_order", "shape"].contains($0.key) }) {
            throw NPYError(path: path, offset: headerStart,
                           problem: "header dict has the key \(PythonLiteral.quoted(extra.key)); a .npy header has exactly 'descr', 'fortran_order' and 'shape' (numpy refuses others)")
        }

        let (scalar, swapped) = try dtype(try entry("descr"), path: path, offset: headerStart)
        guard case .bool(let fortran) = try entry("fortran_order") else {
            throw NPYError(path: path, offset: headerStart, problem: "header 'fortran_order' is \(try entry("fortran_order").summary), not True or False")
        }
        let (rows, columns) = try shape(try entry("shape"), path: path, offset: headerStart)

        let (cells, o1) = rows.multipliedReportingOverflow(by: columns)
        let (bytes, o2) = cells.multipliedReportingOverflow(by: scalar.byteCount)
        if o1 || o2 {
            throw NPYError(path: path, offset: headerStart,
                           problem: "shape (\(rows), \(columns)) of \(scalar.rawValue) overflows a 64-bit byte count (corrupt header?)")
        }
        if bytes > maxDataBytes {
            throw NPYError(path: path, offset: headerStart,
                           problem: "shape (\(rows), \(columns)) of \(scalar.rawValue) would be \(bytes) bytes, which is absurdly large (corrupt header?)")
        }
        return NPYHeader(scalar: scalar, byteSwapped: swapped, fortranOrder: fortran, rows: rows, columns: columns,
                         dataOffset: dataOffset, dataBytes: bytes)
    }

    /// Maps a NumPy type string (`'<f4'`, `'>f8'`, `'=f2'`, `'|f4'`) to a scalar and whether bytes must be swapped.
    /// `=` and `|` mean native order (NumPy treats `|` on a multi-byte type as native too).
    static func dtype(_ descr: PythonLiteral, path: String, offset: Int) throws(NPYError) -> (NPYScalar, Bool) {
        let text: String
        switch descr {
        case .string(let s): text = s
        case .list:
            throw NPYError(path: path, offset: offset,
                           problem: "dtype is structured (a list of named fields), not a floating-point type; rankprobe needs a plain float16/32/64 array")
        default:
            throw NPYError(path: path, offset: offset, problem: "header 'descr' is \(descr.summary), not a dtype string")
        }
        // The type strings numpy writes: an optional byte order, a kind letter, a byte count. Only the exact
        // float spellings are read ('<f4', 'f8', '|f2'…); numpy's other names for them ('float32', 'd',
        // '<e') are refused with a message naming the canonical form, and so is '<f04' or '<f+4'.
        var code = Substring(text)
        var order: Character = "="
        if let first = code.first, "<>=|".contains(first) { order = first; code = code.dropFirst() }
        guard let kind = code.first else {
            throw NPYError(path: path, offset: offset, problem: "header 'descr' \(PythonLiteral.quoted(text)) is not a dtype")
        }
        let sizeText = code.dropFirst()
        let size: Int? = sizeText.allSatisfy({ $0.isASCII && $0.isNumber }) && sizeText.first != "0" ? Int(sizeText) : nil
        let shown = PythonLiteral.quoted(text)
        let kindName: String? = switch kind {
        case "i": "an integer type"
        case "u": "an unsigned integer type"
        case "b", "?": "a boolean type"
        case "c": "a complex type"
        case "O": "an object (pickled Python) type"
        case "S", "a": "a byte-string type"
        case "U": "a unicode-string type"
        case "V": "a structured (void) type"
        case "M": "a datetime type"
        case "m": "a timedelta type"
        default: nil
        }
        if let kindName {
            throw NPYError(path: path, offset: offset,
                           problem: "dtype \(shown) is \(kindName), not a floating-point type; rankprobe needs float16/32/64 log-probabilities")
        }
        guard kind == "f", let size else {
            throw NPYError(path: path, offset: offset, problem: "dtype \(shown) is not a dtype rankprobe understands; it needs float16/32/64 ('<f2', '<f4', '<f8')")
        }
        let scalar: NPYScalar
        switch size {
        case 2: scalar = .float16
        case 4: scalar = .float32
        case 8: scalar = .float64
        default:
            // `size` can be any Int (the fuzzer found '<f2305843009213693952'): say bits only when that is small.
            let what = size <= 1024 ? "a \(size * 8)-bit float" : "a float of \(size) bytes"
            throw NPYError(path: path, offset: offset,
                           problem: "dtype \(shown) is \(what); rankprobe reads only float16/32/64")
        }
        let hostLittle = 1.littleEndian == 1
        let swapped = (order == "<" && !hostLittle) || (order == ">" && hostLittle)
        return (scalar, swapped)
    }

    /// Validates `shape` as a 2-D samples × vocabulary shape with at least 2 rows and 1 column.
    static func shape(_ literal: PythonLiteral, path: String, offset: Int) throws(NPYError) -> (Int, Int) {
        let items: [PythonLiteral]
        switch literal {
        case .tuple(let t): items = t
        case .list:
            throw NPYError(path: path, offset: offset, problem: "header 'shape' is \(literal.summary), not a tuple of integers (numpy refuses list shapes)")
        default: throw NPYError(path: path, offset: offset, problem: "header 'shape' is \(literal.summary), not a tuple of integers")
        }
        var dims: [Int] = []
        for item in items {
            // numpy would take True/False here (bool is an int in Python); no writer produces that.
            guard case .integer(let text) = item else {
                throw NPYError(path: path, offset: offset, problem: "header 'shape' contains \(item.summary), not an integer")
            }
            guard let v = Int(text) else {
                throw NPYError(path: path, offset: offset, problem: "shape dimension \(text) is absurdly large (corrupt header?)")
            }
            if v < 0 { throw NPYError(path: path, offset: offset, problem: "shape dimension \(v) is negative") }
            dims.append(v)
        }
        let shown = "(" + dims.map(String.init).joined(separator: ", ") + (dims.count == 1 ? ",)" : ")")
        let need = "rankprobe needs a 2-D array of samples × vocabulary (one row per prompt)"
        switch dims.count {
        case 0: throw NPYError(path: path, offset: offset, problem: "shape () is 0-D (a single scalar); \(need)")
        case 1: throw NPYError(path: path, offset: offset, problem: "shape \(shown) is 1-D; \(need)")
        case 2: break
        default: throw NPYError(path: path, offset: offset, problem: "shape \(shown) is \(dims.count)-D; \(need) — reshape it first")
        }
        if dims[0] < 2 {
            throw NPYError(path: path, offset: offset, problem: "shape \(shown) has fewer than 2 rows; a spectrum needs at least 2 samples")
        }
        if dims[1] == 0 {
            throw NPYError(path: path, offset: offset, problem: "shape \(shown) has zero columns; there is no vocabulary to read")
        }
        return (dims[0], dims[1])
    }

    /// Reads exactly `count` bytes at `offset` (the caller has checked they exist).
    static func readBytes(fd: Int32, offset: Int, count: Int, path: String) throws(NPYError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw NPYError(path: path, offset: offset + done, problem: "read failed: \(NPYFile.errnoText())")
            }
            if n == 0 {
                throw NPYError(path: path, offset: offset + done, problem: "file is truncated: it ends at byte \(offset + done) while reading the header")
            }
            done += n
        }
        return buffer
    }
}
