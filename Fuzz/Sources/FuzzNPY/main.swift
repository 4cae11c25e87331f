import FuzzSupport
import RankProbeNPY

// A whole .npy file: magic, version, header length, header (the Python-literal parser) and data. An
// accepted file has every data byte read once: a header that promised more data than the file holds
// would fault here (the data is memory-mapped, so ASan alone would not see it).
let file = ScratchFile("input.npy")

@_cdecl("FuzzNPY_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv) { data, size in
        file.write(bytes(data, size))
        guard let npy = try? NPYFile(path: file.path) else { return 0 }
        precondition(npy.rows >= 2 && npy.columns >= 1)
        precondition(npy.dataOffset + npy.dataByteCount <= npy.fileSize,
                     "accepted a header promising \(npy.dataByteCount) bytes at \(npy.dataOffset) in a \(npy.fileSize)-byte file")
        var sum: UInt8 = 0
        for i in 0..<npy.dataByteCount { sum &+= npy.data.load(fromByteOffset: i, as: UInt8.self) }
        return sum == 42 ? 0 : 0
    }
}
