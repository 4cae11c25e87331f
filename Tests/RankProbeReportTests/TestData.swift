import Foundation

/// Small test inputs written on the fly: temporary directories and `.npy` files of synthetic log-probabilities.
enum TestData {
    static func temporaryDirectory(_ tag: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("rankprobe-report-\(tag)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Deterministic uniform numbers in [-1, 1) (SplitMix64), so the data are the same on every machine.
    struct Random {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 52) - 1
        }
    }

    /// Log-softmax of H·W for a hidden size d: an `rows × vocabulary` matrix whose centred rank is d.
    static func logProbabilities(rows: Int, vocabulary: Int, hidden d: Int, seed: UInt64) -> [Double] {
        var rng = Random(state: seed)
        let h = (0..<(rows * d)).map { _ in rng.next() }
        let w = (0..<(d * vocabulary)).map { _ in rng.next() }
        var out = [Double](repeating: 0, count: rows * vocabulary)
        for i in 0..<rows {
            var maxLogit = -Double.infinity
            for j in 0..<vocabulary {
                var s = 0.0
                for k in 0..<d { s += h[i * d + k] * w[k * vocabulary + j] }
                out[i * vocabulary + j] = s
                maxLogit = max(maxLogit, s)
            }
            var z = 0.0
            for j in 0..<vocabulary { z += exp(out[i * vocabulary + j] - maxLogit) }
            let lse = maxLogit + log(z)
            for j in 0..<vocabulary { out[i * vocabulary + j] -= lse }
        }
        return out
    }

    /// Writes a little-endian float64 C-order `.npy` (format 1.0): magic, header dict padded to 64 bytes.
    static func writeNPY(_ values: [Double], rows: Int, columns: Int, to url: URL) throws {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        let len = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(len & 0xFF), UInt8(len >> 8)])
        data.append(Data(header.utf8))
        values.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
        try data.write(to: url)
    }
}
