import Foundation
import Testing
import RankProbe
import RankProbeNPY

/// Runs the built `rankprobe` executable (it sits next to the test bundle) and captures its output;
/// `environment` adds variables (COLUMNS for the help layout); `unset` removes some.
func runCLI(_ arguments: [String], environment: [String: String] = [:], unset: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var exe = dir.appendingPathComponent("rankprobe")
    // The test bundle path is …/rankprobePackageTests.xctest on Linux; the executable is beside it.
    if !FileManager.default.isExecutableFile(atPath: exe.path) {
        exe = Bundle.main.bundleURL.appendingPathComponent("rankprobe")
    }
    let p = Process()
    p.executableURL = exe
    p.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["SWIFT_BACKTRACE"] = "enable=no"
    for (k, v) in environment { env[k] = v }
    for k in unset { env[k] = nil }
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

func write(_ bytes: [UInt8], _ name: String) throws -> String {
    let path = try temporaryDirectory().appendingPathComponent(name).path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// A valid .npy header for `descr` and `shape`, padded to 64 bytes.
func npyHeader(descr: String, shape: String, fortran: Bool = false) -> [UInt8] {
    var dict = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
    while (10 + dict.utf8.count + 1) % 64 != 0 { dict += " " }
    dict += "\n"
    let len = UInt16(dict.utf8.count)
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(len & 0xFF), UInt8(len >> 8)] + Array(dict.utf8)
}

@Suite struct BadInput {
    /// Each case: file contents, the phrase the error must contain.
    @Test(arguments: [
        ("text.npy", Array("hello, not numpy".utf8), "not a .npy"),
        ("truncated.npy", npyHeader(descr: "<f4", shape: "(4, 3)") + [UInt8](repeating: 0, count: 20), "bytes"),
        ("absurd.npy", npyHeader(descr: "<f4", shape: "(1000000000000, 32000)"), "1000000000000"),
        ("int.npy", npyHeader(descr: "<i8", shape: "(4, 3)") + [UInt8](repeating: 0, count: 96), "<i8"),
        ("complex.npy", npyHeader(descr: "<c16", shape: "(4, 3)") + [UInt8](repeating: 0, count: 192), "<c16"),
        ("object.npy", npyHeader(descr: "|O", shape: "(4, 3)") + [UInt8](repeating: 0, count: 96), "|O"),
        ("vector.npy", npyHeader(descr: "<f4", shape: "(12,)") + [UInt8](repeating: 0, count: 48), "1-D"),
        ("cube.npy", npyHeader(descr: "<f4", shape: "(2, 2, 3)") + [UInt8](repeating: 0, count: 48), "3-D"),
        ("onerow.npy", npyHeader(descr: "<f4", shape: "(1, 3)") + [UInt8](repeating: 0, count: 12), "row"),
    ] as [(String, [UInt8], String)])
    func rejected(name: String, bytes: [UInt8], phrase: String) throws {
        let path = try write(bytes, name)
        let r = try runCLI(["estimate", path])
        #expect(r.status != 0)
        #expect(r.stderr.contains(name), "message should name the file: \(r.stderr)")
        #expect(r.stderr.lowercased().contains(phrase.lowercased()), "expected '\(phrase)' in: \(r.stderr)")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"))
    }

    @Test func differentColumnCounts() throws {
        let a = try write(npyHeader(descr: "<f4", shape: "(2, 3)") + [UInt8](repeating: 0, count: 24), "a.npy")
        let b = try write(npyHeader(descr: "<f4", shape: "(2, 4)") + [UInt8](repeating: 0, count: 32), "b.npy")
        let r = try runCLI(["estimate", a, b])
        #expect(r.status != 0)
        #expect(r.stderr.contains("b.npy") && r.stderr.contains("4 columns") && r.stderr.contains("3"))
    }

    @Test func missingFileAndDirectory() throws {
        let r = try runCLI(["estimate", "/nonexistent/x.npy"])
        #expect(r.status != 0 && r.stderr.contains("/nonexistent/x.npy") && r.stderr.contains("no such file"))
        let dir = try temporaryDirectory().path
        let r2 = try runCLI(["estimate", dir])
        #expect(r2.status != 0 && r2.stderr.contains("directory"))
    }

    @Test func jsonContractKeys() throws {
        // 6 samples of an exactly rank-2 matrix, hand-made: rows = a·u + b·w + row constant.
        let u: [Double] = [1, 0, -1, 2, 0.5, -2, 1, 0]
        let w: [Double] = [0, 1, 1, -1, 2, 0, -0.5, 3]
        let coef: [(Double, Double)] = [(1, 0), (0, 1), (1, 1), (2, -1), (-1, 3), (0.5, 0.5)]
        let path = try temporaryDirectory().appendingPathComponent("rank2.npy").path
        try NPYWriter.write(path: path, rows: 6, columns: 8, scalar: .float64) { r, row in
            for j in 0..<8 { row[j] = coef[r].0 * u[j] + coef[r].1 * w[j] - 5 - Double(r) }
        }
        let r = try runCLI(["estimate", path, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["status", "hidden_dim", "lower_bound", "candidates", "samples", "columns", "output_bias", "gap",
                    "noise_floor", "singular_values", "warnings", "seconds"] {
            #expect(obj.keys.contains(key), "missing \(key)")
        }
        #expect(obj["samples"] as? Int == 6 && obj["columns"] as? Int == 8)
        let sv = try #require(obj["singular_values"] as? [Double])
        #expect(sv.count == 5)
        // Rank 2 after centring: two values, then float64 rounding.
        #expect(sv[1] > 1e-3 * sv[0] && sv[2] < 1e-6 * sv[0])
        let seconds = try #require(obj["seconds"] as? [String: Double])
        #expect(Set(seconds.keys).isSuperset(of: ["load", "spectrum", "total"]))
    }
}

/// Found by the log-file fuzz harness: the two bytes "\n[" made the JSON shim's error locator walk an unclosed
/// array past its buffer (SIGSEGV). Unbalanced text is now refused before that walk; through the CLI it is a
/// clear error and exit 1, like any other unreadable log.
@Test(arguments: ["\n[", "\n[[{", "\n{\"a\": [}", "\n]", "\n\"abc"])
func unbalancedJSONIsAnErrorNotACrash(text: String) throws {
    let path = try write(Array(text.utf8), "unbalanced.jsonl")
    let r = try runCLI(["estimate", path])
    #expect(r.status == 1, "\(r.stderr)")
    #expect(r.stderr.contains("unbalanced.jsonl"))
    #expect(r.stderr.contains("invalid JSON") || r.stderr.contains("not a log format"), "\(r.stderr)")
}
