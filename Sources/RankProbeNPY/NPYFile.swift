#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import _SystemShims

/// Element types rankprobe reads from `.npy` files.
public enum NPYScalar: String, Sendable, Equatable {
    case float16, float32, float64
    public var byteCount: Int {
        switch self { case .float16: 2; case .float32: 4; case .float64: 8 }
    }
}

/// Errors while reading a `.npy` file. `description` names the file and the problem.
public struct NPYError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    /// Byte offset the problem was found at, when there is one.
    public var offset: Int?
    public var problem: String
    public init(path: String, offset: Int? = nil, problem: String) {
        self.path = path; self.offset = offset; self.problem = problem
    }
    public var description: String {
        if let offset { return "\(path): at byte \(offset): \(problem)" }
        return "\(path): \(problem)"
    }
}

/// A memory-mapped 2-D `.npy` array of floats: rows are samples, columns tokens.
///
/// The file is mapped read-only and shared, never copied: a 4400 × 32000 float32 dump is 563 MB, and the
/// page cache already holds it after the first read. Every size the header claims is checked against the
/// file's real size *before* mapping, so a corrupt or hostile header yields an `NPYError`, not a crash or
/// a huge allocation.
public final class NPYFile: @unchecked Sendable {
    public let path: String
    public let scalar: NPYScalar
    /// True when the file's byte order differs from the machine's.
    public let byteSwapped: Bool
    public let fortranOrder: Bool
    public let rows: Int
    public let columns: Int
    /// Total file size in bytes.
    public let fileSize: Int
    /// Offset of the first data byte in the file.
    public let dataOffset: Int
    /// Start of the data (mapped read-only).
    public let data: UnsafeRawPointer

    /// Start and length of the whole-file mapping (mmap offsets must be page-aligned, so the header is
    /// mapped too and `data` points inside it).
    private let mapBase: UnsafeMutableRawPointer
    private let mapLength: Int

    /// Bytes of array data the header declares (`rows × columns × scalar.byteCount`).
    public var dataByteCount: Int { rows * columns * scalar.byteCount }

    /// Bytes after the array data. NumPy never writes any; a non-zero value usually means the file was
    /// appended to or concatenated. They are ignored, but callers may mention them.
    public var trailingByteCount: Int { fileSize - dataOffset - dataByteCount }

    public init(path: String) throws(NPYError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw NPYError(path: path, problem: "cannot open the file: \(Self.errnoText())")
        }
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw NPYError(path: path, problem: "cannot read the file's size: \(Self.errnoText())")
        }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFDIR {
            throw NPYError(path: path, problem: "is a directory, not a .npy file")
        }
        guard kind == S_IFREG else {
            throw NPYError(path: path, problem: "is not a regular file (a pipe, socket or device cannot be memory-mapped)")
        }
        let size = Int(info.st_size)
        fileSize = size

        let header = try NPYHeader.read(fd: fd, fileSize: size, path: path)
        scalar = header.scalar
        byteSwapped = header.byteSwapped
        fortranOrder = header.fortranOrder
        rows = header.rows
        columns = header.columns
        dataOffset = header.dataOffset

        let available = size - header.dataOffset
        if header.dataBytes > available {
            throw NPYError(
                path: path, offset: header.dataOffset,
                problem: "header says \(header.rows)×\(header.columns) \(header.scalar.rawValue) = \(header.dataBytes) bytes "
                    + "but the file holds only \(available) bytes after the header (truncated download or wrong shape?)")
        }

        guard let base = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            throw NPYError(path: path, problem: "cannot memory-map \(size) bytes: \(Self.errnoText())")
        }
        mapBase = base
        mapLength = size
        data = UnsafeRawPointer(base + header.dataOffset)
    }

    deinit { munmap(mapBase, mapLength) }

    /// Tells the kernel the mapped bytes `range` (relative to `data`) are no longer needed, so they leave
    /// this process's resident set. Reading them again is still valid (they fault back in from the file).
    public func release(_ range: Range<Int>) {
        let lower = max(0, range.lowerBound)
        let upper = min(fileSize - dataOffset, range.upperBound)
        if upper > lower { rp_release_pages(data + lower, upper - lower) }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
