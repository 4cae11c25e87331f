import Foundation
@testable import RankProbeReport
import Testing

/// Manifests the fuzzer crashed Yams with (issue 14, findings 2 and 3), and the bounds that now stop
/// them: each gives a ReportError naming the file, where, and what is wrong.
@Suite struct ManifestBoundsTests {
    func load(_ text: String, _ name: String = "m.yaml") throws -> (path: String, error: String?) {
        let dir = try TestData.temporaryDirectory("bounds")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        do {
            _ = try BatchManifest.load(path: url.path)
            return (url.path, nil)
        } catch {
            return (url.path, "\(error)")
        }
    }

    /// Finding 2: YAML 1.1 sexagesimal overflowed inside Yams' Int conversion (SIGILL). The errors name the
    /// value's line and column (issue 12).
    @Test func sexagesimalHiddenSizeIsAnError() throws {
        let (path, error) = try load("models:\n  - name: a\n    inputs: [a.npy]\n    hidden_size: 9999999999999999:0:0:0\n")
        #expect(error == "\(path):4:18: models[0].hidden_size: expected a decimal integer, found '9999999999999999:0:0:0'")
        let (path2, error2) = try load("models:\n  - name: a\n    inputs: [a.npy]\n    hidden_size: 99999999999999999999\n")
        #expect(error2 == "\(path2):4:18: models[0].hidden_size: 99999999999999999999 is too large for a hidden size")
        let (path3, error3) = try load("models:\n  - name: a\n    inputs: [a.npy]\n    hidden_size: 0x1000\n")
        #expect(error3 == "\(path3):4:18: models[0].hidden_size: expected a decimal integer, found '0x1000'")
    }

    @Test func decimalHiddenSizesStillRead() throws {
        let dir = try TestData.temporaryDirectory("bounds-ok")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.yml")
        try Data("models:\n  - name: a\n    inputs: [a.npy]\n    hidden_size: 4096\n  - {name: b, inputs: [b.npy]}\n".utf8).write(to: url)
        let m = try BatchManifest.load(path: url.path)
        #expect(m.models.map(\.hiddenSize) == [4096, nil])
        let json = dir.appendingPathComponent("m.json")
        try Data(#"{"models": [{"name": "a", "inputs": ["a.npy"], "hidden_size": 384}]}"#.utf8).write(to: json)
        #expect(try BatchManifest.load(path: json.path).models.map(\.hiddenSize) == [384])
        try Data(#"{"models": [{"name": "a", "inputs": ["a.npy"], "hidden_size": "384"}]}"#.utf8).write(to: json)
        #expect(throws: ReportError.self) { try BatchManifest.load(path: json.path) }
    }

    /// Finding 3: ~3000 levels of flow nesting overflowed the stack in Yams' composer (SIGSEGV).
    @Test(arguments: ["{", "["])
    func deepNestingIsRefusedBeforeYams(_ open: String) throws {
        let (path, error) = try load(String(repeating: open, count: 3000))
        #expect(error == "\(path):1:65: the manifest nests deeper than 64 levels")
        // Block nesting counts the same way.
        var block = ""
        for i in 0..<70 { block += String(repeating: " ", count: i) + "k:\n" }
        let (path2, error2) = try load(block + String(repeating: " ", count: 70) + "v\n")
        #expect(error2 == "\(path2):65:65: the manifest nests deeper than 64 levels")
    }

    @Test func aliasesAndSizeAreBounded() throws {
        var text = "a: &x [1]\nb: ["
        text += (0..<101).map { _ in "*x" }.joined(separator: ", ") + "]\n"
        let (path, error) = try load(text)
        #expect(error == "\(path):2:\(5 + 4 * 100): the manifest uses more than 100 aliases")
        let big = "# " + String(repeating: "x", count: BatchManifest.maxYAMLBytes) + "\n"
        let (path2, error2) = try load(big)
        #expect(error2 == "\(path2): the manifest is \(big.utf8.count) bytes; rankprobe reads manifests of at most 1048576 bytes")
    }

    @Test func yamlSyntaxErrorsHaveLineAndColumn() throws {
        let (path, error) = try load("models:\n  - name: [a\n")
        #expect(error?.hasPrefix("\(path):3:1: not valid YAML: ") == true, "\(error ?? "accepted")")
    }
}
