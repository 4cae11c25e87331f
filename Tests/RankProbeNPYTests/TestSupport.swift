import Foundation
import RankProbeNPY

/// A fresh temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("rankprobe-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Builds raw `.npy` bytes with an arbitrary header (for malformed-input tests).
func rawNPY(major: UInt8 = 1, minor: UInt8 = 0, header: String, dataBytes: Int = 0, declaredLength: Int? = nil) -> [UInt8] {
    rawNPY(major: major, minor: minor, bytes: Array(header.utf8), dataBytes: dataBytes, declaredLength: declaredLength)
}

func rawNPY(major: UInt8 = 1, minor: UInt8 = 0, bytes h: [UInt8], dataBytes: Int = 0, declaredLength: Int? = nil) -> [UInt8] {
    let length = declaredLength ?? h.count
    var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, major, minor]
    if major == 1 {
        out += [UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF)]
    } else {
        out += (0..<4).map { UInt8((length >> (8 * $0)) & 0xFF) }
    }
    return out + h + [UInt8](repeating: 0, count: dataBytes)
}

extension NPYFile {
    /// Element (r, c) as a double, honouring byte order and Fortran order.
    func value(_ r: Int, _ c: Int) -> Double {
        let index = fortranOrder ? c * rows + r : r * columns + c
        let offset = index * scalar.byteCount
        switch scalar {
        case .float16:
            var bits = data.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
            if byteSwapped { bits = bits.byteSwapped }
            return Double(Float16(bitPattern: bits))
        case .float32:
            var bits = data.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            if byteSwapped { bits = bits.byteSwapped }
            return Double(Float(bitPattern: bits))
        case .float64:
            var bits = data.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            if byteSwapped { bits = bits.byteSwapped }
            return Double(bitPattern: bits)
        }
    }
}

/// Runs `python3 -c script args…`; returns (status, stdout+stderr).
/// The interpreter for the numpy cross-check: `RANKPROBE_TEST_PYTHON` (Scripts/setup makes `.venv-test/` with
/// numpy from PyPI and Scripts/test sets it), else `python3` on PATH.
let testPython: String? = ProcessInfo.processInfo.environment["RANKPROBE_TEST_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }

func runPython(_ script: String, _ arguments: [String]) throws -> (Int32, String) {
    let process = Process()
    if let testPython {
        process.executableURL = URL(fileURLWithPath: testPython)
        process.arguments = ["-c", script] + arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
    }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

let numpyAvailable: Bool = (try? runPython("import numpy", []).0 == 0) ?? false
/// With `RANKPROBE_TEST_PYTHON` set the cross-check is required: it runs, and fails if numpy is missing.
/// Without it, a machine lacking numpy skips the suite (and says so).
let numpyCrossCheckEnabled: Bool = testPython != nil || numpyAvailable
