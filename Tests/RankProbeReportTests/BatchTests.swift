import Foundation
import RankProbe
import RankProbeReport
import RankProbeSynth
import Testing

@Suite struct BatchTests {
    /// Golden batch outputs from a fixed estimator (no real inputs): masks the temporary directory.
    @Test func batchGoldenWithFailedModel() throws {
        let dir = try TestData.temporaryDirectory("golden")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifestURL = dir.appendingPathComponent("models.yaml")
        try """
            models:
              - name: alpha/ok
                inputs: [ok.npy]
                hidden_size: 384
                notes: "synthetic, d = 384"
              - name: "<script>alert(1)</script>"
                inputs: [ambiguous.jsonl]
                hidden_size: 256
              - name: broken
                inputs: [broken.npy]
              - name: too-few
                inputs: [insufficient.jsonl]
            """.write(to: manifestURL, atomically: true, encoding: .utf8)
        let manifest = try BatchManifest.load(path: manifestURL.path)
        #expect(manifest.models.map(\.inputs) == [["ok.npy"], ["ambiguous.jsonl"], ["broken.npy"], ["insufficient.jsonl"]]
            .map { $0.map { dir.appendingPathComponent($0).path } })
        #expect(manifest.models[0].hiddenSize == 384 && manifest.models[0].notes == "synthetic, d = 384")
        let runner = BatchRunner(estimate: { inputs in
            let name = URL(fileURLWithPath: inputs[0]).lastPathComponent
            switch name {
            case "ok.npy": return Fixtures.ok
            case "ambiguous.jsonl": return Fixtures.ambiguous
            case "insufficient.jsonl": return Fixtures.insufficient
            default: throw ReportError("\(name): at byte 0: not a .npy file & not <anything>")
            }
        })
        let out = dir.appendingPathComponent("out")
        let report = try runner.run(manifest, outDir: out.path)
        #expect(report.failedCount == 1)
        #expect(report.models.map(\.correct) == [true, false, nil, nil])
        func masked(_ file: String) throws -> String {
            try String(contentsOf: out.appendingPathComponent(file), encoding: .utf8)
                .replacingOccurrences(of: dir.path, with: "<TMP>")
        }
        try GoldenTests.compare(try masked("index.html"), "batch-index.html")
        try GoldenTests.compare(try masked("report.md"), "batch-report.md")
        try GoldenTests.compare(try masked("models/broken.html"), "batch-broken.html")
        let index = try masked("index.html")
        let (error, check) = XMLCheck.check(index)
        #expect(error == nil, "\(error ?? "")")
        #expect(!index.contains("<script") && check.text.contains("<script>alert(1)</script>"))
        #expect(check.text.contains("Failed: broken.npy: at byte 0: not a .npy file & not <anything>"))
        #expect(check.attributes.contains("models/alpha-ok.html") && check.attributes.contains("models/script-alert-1-script.html"))
        for page in ["models/alpha-ok.html", "models/script-alert-1-script.html", "models/broken.html", "models/too-few.html"] {
            #expect(XMLCheck.check(try masked(page)).error == nil, "\(page)")
        }
        let json = try Data(contentsOf: out.appendingPathComponent("report.json"))
        let decoded = try EstimateResult.jsonDecoder().decode(BatchReport.self, from: json)
        #expect(decoded.models.count == 4 && decoded.models[2].error != nil && decoded.models[0].result?.parameters != nil)
    }

    @Test func slugsAndRefusals() {
        #expect(OutputDirectory.slug("Meta/Llama-3 8B (instruct)") == "meta-llama-3-8b-instruct")
        #expect(OutputDirectory.slug("...") == "model" && OutputDirectory.slug("模型") == "model")
        #expect(OutputDirectory.slug(".hidden") == "hidden")
        #expect(OutputDirectory.uniqueSlugs(["A", "a", "a!", "b"]) == ["a", "a-2", "a-3", "b"])
        for bad in ["../x", "a/../../b", "/etc/passwd", "~/x", "..\\x", "C:\\x"] {
            #expect(OutputDirectory.refusal(forName: bad) != nil, "\(bad)")
        }
        for fine in ["meta/llama", "a..b", "x.y", "..."] {
            #expect(OutputDirectory.refusal(forName: fine) == nil, "\(fine)")
        }
    }

    /// A symlinked `models/` pointing outside OUTDIR is not followed.
    @Test func writeRefusesSymlinkOut() throws {
        let dir = try TestData.temporaryDirectory("symlink")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outside = dir.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let out = try OutputDirectory(dir.appendingPathComponent("out").path)
        try FileManager.default.createSymbolicLink(at: out.root.appendingPathComponent("models"), withDestinationURL: outside)
        #expect(throws: ReportError.self) { try out.write("x", to: "models/a.html") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }

    @Test func manifestErrorsNameTheProblem() throws {
        let dir = try TestData.temporaryDirectory("manifest")
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = dir.appendingPathComponent("m.json")
        try #"{"models": [{"name": "a", "inputs": "x.npy"}]}"#.write(to: m, atomically: true, encoding: .utf8)
        #expect { try BatchManifest.load(path: m.path) } throws: {
            let d = "\($0)"; return d.hasPrefix(m.path + ": models[0].inputs")
        }
        try #"{"models": []}"#.write(to: m, atomically: true, encoding: .utf8)
        #expect { try BatchManifest.load(path: m.path) } throws: { "\($0)".contains("\"models\" is empty") }
        #expect { try BatchManifest.load(path: dir.appendingPathComponent("nope.json").path) } throws: { "\($0)".contains("no such") }
    }

    @Test func directoryMeansOneModelPerFileOrFolder() throws {
        let dir = try TestData.temporaryDirectory("dir")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data().write(to: dir.appendingPathComponent("gpt-x.npy"))
        try Data().write(to: dir.appendingPathComponent(".hidden.npy"))
        let sub = dir.appendingPathComponent("vendor-model")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try Data().write(to: sub.appendingPathComponent("b.jsonl.gz"))
        try Data().write(to: sub.appendingPathComponent("a.jsonl"))
        let m = try BatchManifest.load(path: dir.path)
        #expect(m.models.map(\.name) == ["gpt-x", "vendor-model"])
        #expect(m.models[1].inputs == [sub.appendingPathComponent("a.jsonl").path, sub.appendingPathComponent("b.jsonl.gz").path])
    }

    /// End to end through the real command and the real pipeline: two synthetic models with known hidden
    /// sizes, one file that is not an .npy, one name that would escape OUTDIR. The exit status is 1, the index
    /// marks the broken model failed, the good ones right, and nothing is written outside OUTDIR.
    @Test func batchCommandEndToEnd() throws {
        let exe = try #require(Self.executable(), "rankprobe executable not found next to the test bundle")
        let dir = try TestData.temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        try SyntheticModel(hidden: 24, vocab: 300, seed: 1).writeNPY(path: inputs.appendingPathComponent("d24.npy").path, samples: 80)
        try SyntheticModel(hidden: 40, vocab: 260, seed: 2).writeNPY(path: inputs.appendingPathComponent("d40.npy").path, samples: 90)
        try "not an npy".write(to: inputs.appendingPathComponent("broken.npy"), atomically: true, encoding: .utf8)
        let manifest = dir.appendingPathComponent("manifest.json")
        try """
            {"models": [
              {"name": "twenty-four", "inputs": ["in/d24.npy"], "hidden_size": 24},
              {"name": "broken model", "inputs": ["in/broken.npy"]},
              {"name": "../../escape", "inputs": ["in/d24.npy"]},
              {"name": "forty", "inputs": ["in/d40.npy"], "hidden_size": 40}
            ]}
            """.write(to: manifest, atomically: true, encoding: .utf8)
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let p = Process()
        p.executableURL = exe
        p.arguments = ["batch", manifest.path, "--out", dir.appendingPathComponent("out").path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == (before + ["out"]).sorted())
        let out = dir.appendingPathComponent("out")
        let report = try EstimateResult.jsonDecoder().decode(BatchReport.self, from: Data(contentsOf: out.appendingPathComponent("report.json")))
        #expect(report.models.map(\.failed) == [false, true, true, false])
        #expect(report.models[0].result?.hiddenDim == 24 && report.models[0].correct == true)
        #expect(report.models[3].result?.hiddenDim == 40 && report.models[3].correct == true)
        #expect(report.models[1].error?.contains("broken.npy") == true)
        #expect(report.models[2].error?.contains("refusing") == true)
        let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        let (error, check) = XMLCheck.check(index)
        #expect(error == nil)
        #expect(check.text.contains("Failed: ") && check.text.contains("4 models: 2 with a hidden size, 2 failed; 2 of 2 right"))
        let files = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("models").path).sorted()
        #expect(files == ["broken-model.html", "escape.html", "forty.html", "forty.svg", "twenty-four.html", "twenty-four.svg"])
    }

    static func executable() -> URL? {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        var candidates = [here.appendingPathComponent("rankprobe"), Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("rankprobe")]
        // Inside an .xctest bundle on macOS the products directory is further up.
        candidates.append(here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("rankprobe"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
