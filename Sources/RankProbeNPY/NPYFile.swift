// PLACEHOLDER API — to be implemented by the NPY work item.
import Foundation

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

    public init(path: String) throws(NPYError) {
        fatalError("not implemented")
    }

    /// Tells the kernel the mapped bytes `range` (relative to `data`) are no longer needed, so they leave
    /// this process's resident set. Reading them again is still valid (they fault back in from the file).
    public func release(_ range: Range<Int>) {}
}

/// Writes 2-D float arrays as `.npy` (format 1.0, little-endian, C order), streaming row by row so that a
/// multi-gigabyte synthetic dump never has to exist in memory at once.
public enum NPYWriter {
    /// Writes `rows × columns` values of `scalar`; `fill(row, buffer)` fills one row (`columns` doubles),
    /// which is converted to `scalar` on the way out.
    public static func write(
        path: String, rows: Int, columns: Int, scalar: NPYScalar,
        fill: (_ row: Int, _ buffer: UnsafeMutableBufferPointer<Double>) throws -> Void
    ) throws {
        fatalError("not implemented")
    }
}
