import Foundation
import RankProbeNPY
import Testing

/// Files written by NumPy itself must read back to NumPy's values, and NumPy must read ours.
@Suite(.enabled(if: numpyCrossCheckEnabled, "python3 with numpy is needed for the cross-check (bash Scripts/setup makes .venv-test; set RANKPROBE_TEST_PYTHON to require it)"))
struct NPYNumpyCrossCheckTests {
    /// Loud when the interpreter CI points at has no numpy, instead of every check below failing obscurely.
    @Test func numpyIsImportable() throws {
        let (status, output) = try runPython("import numpy; print(numpy.__version__)", [])
        #expect(status == 0, "RANKPROBE_TEST_PYTHON=\(testPython ?? "python3") cannot import numpy: \(output)")
    }

    static let writer = """
        import sys, os, numpy as np
        d = sys.argv[1]
        r, c = np.meshgrid(np.arange(5), np.arange(7), indexing='ij')
        a = np.sin((r * 7 + c) * 0.37) * 10 - 3
        np.save(os.path.join(d, 'ref.npy'), a)
        np.save(os.path.join(d, 'be_f4.npy'), a.astype('>f4'))
        np.save(os.path.join(d, 'be_f8.npy'), a.astype('>f8'))
        np.save(os.path.join(d, 'le_f2.npy'), a.astype('<f2'))
        np.save(os.path.join(d, 'be_f2.npy'), a.astype('>f2'))
        np.save(os.path.join(d, 'fortran_f4.npy'), np.asfortranarray(a.astype('<f4')))
        for v in (2, 3):
            with open(os.path.join(d, 'v%d.npy' % v), 'wb') as f:
                np.lib.format.write_array(f, a.astype('<f4'), version=(v, 0))
        """

    @Test func readsNumpyFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let (status, output) = try runPython(Self.writer, [dir.url.path])
        try #require(status == 0, "python failed: \(output)")

        let ref = try NPYFile(path: dir.path("ref.npy"))
        #expect(ref.scalar == .float64 && !ref.byteSwapped && ref.rows == 5 && ref.columns == 7)
        let cases: [(String, NPYScalar, Bool, Bool)] = [
            ("be_f4.npy", .float32, true, false), ("be_f8.npy", .float64, true, false),
            ("le_f2.npy", .float16, false, false), ("be_f2.npy", .float16, true, false),
            ("fortran_f4.npy", .float32, false, true), ("v2.npy", .float32, false, false), ("v3.npy", .float32, false, false),
        ]
        for (name, scalar, swapped, fortran) in cases {
            let file = try NPYFile(path: dir.path(name))
            #expect(file.scalar == scalar, "\(name)")
            #expect(file.byteSwapped == swapped, "\(name)")
            #expect(file.fortranOrder == fortran, "\(name)")
            #expect(file.rows == 5 && file.columns == 7, "\(name)")
            for r in 0..<5 {
                for c in 0..<7 {
                    let x = ref.value(r, c)
                    let expected: Double = switch scalar {
                    case .float16: Double(Float16(x))
                    case .float32: Double(Float(x))
                    case .float64: x
                    }
                    #expect(file.value(r, c) == expected, "\(name)[\(r), \(c)]")
                }
            }
        }
    }

    @Test func numpyReadsOurFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        for scalar in [NPYScalar.float16, .float32, .float64] {
            try NPYWriter.write(path: dir.path("ours-\(scalar.rawValue).npy"), rows: 6, columns: 11, scalar: scalar) { row, buffer in
                for c in 0..<buffer.count { buffer[c] = Double(row * 11 + c) * 0.5 - 7 }
            }
        }
        let check = """
            import sys, os, numpy as np
            d = sys.argv[1]
            want = np.arange(66).reshape(6, 11) * 0.5 - 7
            for name, dt in (('float16', '<f2'), ('float32', '<f4'), ('float64', '<f8')):
                a = np.load(os.path.join(d, 'ours-%s.npy' % name))
                assert a.dtype == np.dtype(dt), (name, a.dtype)
                assert a.shape == (6, 11), a.shape
                assert a.flags.c_contiguous
                assert np.array_equal(a.astype(np.float64), want), name
            print('ok')
            """
        let (status, output) = try runPython(check, [dir.url.path])
        #expect(status == 0, "numpy rejected our file: \(output)")
        #expect(output.contains("ok"))
    }

    /// NPYHeaderGrammarTests' table says what numpy does with each header; ask numpy again.
    @Test func headerVerdictsMatchNumpy() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        for (i, c) in HeaderCase.all.enumerated() {
            try Data(c.file).write(to: URL(fileURLWithPath: dir.path("case-\(i).npy")))
        }
        let check = """
            import sys, os, warnings, numpy as np
            warnings.simplefilter('ignore')
            d, n = sys.argv[1], int(sys.argv[2])
            out = []
            for i in range(n):
                try:
                    np.load(os.path.join(d, 'case-%d.npy' % i), allow_pickle=False)
                    out.append('1')
                except Exception:
                    out.append('0')
            print(''.join(out))
            """
        let (status, output) = try runPython(check, [dir.url.path, String(HeaderCase.all.count)])
        try #require(status == 0, "python failed: \(output)")
        let verdicts = Array(output.trimmingCharacters(in: .whitespacesAndNewlines))
        try #require(verdicts.count == HeaderCase.all.count, "\(output)")
        for (i, c) in HeaderCase.all.enumerated() {
            #expect((verdicts[i] == "1") == c.numpy, "case \(i) v\(c.major) \(c.header.debugDescription): numpy says \(verdicts[i] == "1" ? "accept" : "reject")")
        }
    }
}
