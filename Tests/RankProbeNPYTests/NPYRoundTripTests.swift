import Foundation
import RankProbeNPY
import Testing

@Suite struct NPYRoundTripTests {
    static func reference(_ r: Int, _ c: Int) -> Double { sin(Double(r * 7 + c) * 0.37) * 10 - 3 }

    @Test(arguments: [NPYScalar.float16, .float32, .float64])
    func roundTrip(scalar: NPYScalar) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("round-\(scalar.rawValue).npy")
        var calls: [Int] = []
        try NPYWriter.write(path: path, rows: 37, columns: 113, scalar: scalar) { row, buffer in
            calls.append(row)
            for c in 0..<buffer.count { buffer[c] = Self.reference(row, c) }
        }
        #expect(calls == Array(0..<37))
        let file = try NPYFile(path: path)
        #expect(file.rows == 37 && file.columns == 113)
        #expect(file.scalar == scalar && !file.byteSwapped && !file.fortranOrder)
        #expect(file.dataOffset % 64 == 0)
        #expect(file.fileSize == file.dataOffset + 37 * 113 * scalar.byteCount)
        #expect(file.trailingByteCount == 0)
        for r in 0..<37 {
            for c in 0..<113 {
                let expected: Double = switch scalar {
                case .float16: Double(Float16(Self.reference(r, c)))
                case .float32: Double(Float(Self.reference(r, c)))
                case .float64: Self.reference(r, c)
                }
                #expect(file.value(r, c) == expected)
            }
        }
        file.release(0..<(37 * 113 * scalar.byteCount))
        #expect(file.value(36, 112) != 0 || Self.reference(36, 112) == 0)  // pages fault back in after release
    }

    @Test func headerIsPaddedToSixtyFour() {
        for columns in [1, 9, 99, 12345, 1 << 40] {
            let bytes = NPYWriter.headerBytes(rows: 3, columns: columns, scalar: .float32)
            #expect(bytes.count % 64 == 0)
            #expect(bytes.last == 0x0A)
        }
    }

    @Test func failingFillLeavesNoFile() throws {
        struct Stop: Error {}
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("never.npy")
        #expect(throws: Stop.self) {
            try NPYWriter.write(path: path, rows: 10, columns: 4, scalar: .float32) { row, _ in
                if row == 5 { throw Stop() }
            }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path)
        #expect(leftovers.isEmpty)
    }

    @Test func unwritableDirectoryIsAnError() {
        #expect(throws: NPYError.self) {
            try NPYWriter.write(path: "/nonexistent-dir-rankprobe/x.npy", rows: 2, columns: 2, scalar: .float32) { _, _ in }
        }
    }
}
