import Foundation
import RankProbe
import RankProbeLogs
@testable import RankProbeReport
import RankProbeSynth
import Testing

/// Issue 12, the reports as a person reads them: one warnings list in every format, captions that describe
/// only the marks drawn, the precision limit only where it matters, no banner that repeats itself.
@Suite struct ReportHonestyTests {
    /// A log result whose reader noted missing cells: the note is a warning in all four formats.
    static var withMissingCells: EstimateResult {
        var r = Fixtures.insufficient
        r.input?.notes = ["warning: 6075 of 97 × 164 cells are missing (never imputed); kept the complete block of 40 × 40",
                          "Kept the largest complete block."]
        r.warnings = []
        return r
    }

    @Test func oneWarningsListEverywhere() throws {
        let r = Self.withMissingCells
        let phrase = "6075 of 97 × 164 cells are missing"
        let text = ReportRenderer.text(r)
        #expect(text.contains("Warnings:\n  - " + phrase))
        #expect(!text.contains("note: warning:"))
        #expect(text.contains("note: Kept the largest complete block."))
        let html = ReportRenderer.html(r)
        #expect(!html.contains("None.</p>"))
        #expect(html.contains("<ul class=\"warnings\">\n<li>" + phrase))
        let md = ReportRenderer.markdown(r)
        #expect(md.contains("## Warnings\n\n- " + phrase))
        #expect(!md.contains("None.\n"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try ReportRenderer.json(r).utf8)) as? [String: Any])
        let warnings = try #require(json["warnings"] as? [String])
        #expect(warnings.contains { $0.hasPrefix(phrase) })
        let notes = try #require((json["input"] as? [String: Any])?["notes"] as? [String])
        #expect(notes == ["Kept the largest complete block."])
        // Gathering twice changes nothing.
        #expect(r.gatheringWarnings().gatheringWarnings() == r.gatheringWarnings())
    }

    @Test func bannersDoNotRepeatTheStatus() {
        var r = Fixtures.ambiguous
        r.message = "ambiguous: the values fall by ×4 after 256 directions"
        let html = ReportRenderer.html(r)
        #expect(html.contains("<strong>Ambiguous.</strong> The values fall by ×4"))
        #expect(!html.contains("Ambiguous.</strong> ambiguous:"))
        var i = Fixtures.insufficient
        i.message = "insufficient data: the signal runs on to the last value"
        #expect(ReportRenderer.html(i).contains("<strong>Not enough data.</strong> The signal runs on to the last value"))
        #expect(!ReportRenderer.html(i).contains("insufficient data:"))
        #expect(ReportRenderer.markdown(i).contains("**Not enough data:** The signal runs on"))
        // The text report has no banner: its first line is the sentence in full.
        #expect(ReportRenderer.text(i).contains("\nInsufficient data: the signal runs on to the last value\n"))
        var ok = Fixtures.ok
        ok.message = "hidden size 384: the values fall by ×5100"
        #expect(ReportRenderer.html(ok).contains("<strong>Hidden size 384.</strong> The values fall by ×5100"))
    }

    @Test func hiddenSizeWording() {
        var r = Fixtures.ambiguous
        r.candidates = [.init(dim: 256, ratio: 3)]
        r.lowerBound = 250
        let text = ReportRenderer.text(r)
        #expect(text.contains("possibly 256, not established; at least 250"))
        #expect(!text.contains("one of 256"))
        #expect(ReportRenderer.text(Fixtures.ambiguous).contains("one of 256, 320"))
    }

    @Test func dominantRowOnlyWhenThereAreSome() {
        var r = Fixtures.ok
        r.dominantDirections = 0
        #expect(!ReportRenderer.text(r).contains("Dominant early directions"))
        #expect(ReportRenderer.text(Fixtures.ok).contains("Dominant early directions"))
    }

    /// The caption names exactly the marks the SVG draws.
    @Test(arguments: ["ok", "insufficient", "ambiguous", "okNoDominant"])
    func captionDescribesOnlyDrawnMarks(_ name: String) throws {
        var r: EstimateResult
        switch name {
        case "ok": r = Fixtures.ok
        case "insufficient": r = Fixtures.insufficient
        case "ambiguous": r = Fixtures.ambiguous
        default: r = Fixtures.ok; r.dominantDirections = 0
        }
        let svg = SpectrumPlot().svg(r, title: name)
        let caption = SpectrumPlot.caption(r)
        let marks: [(mark: String, words: String)] = [
            ("stroke=\"#c2410c\"", "red dashed line"), ("stroke=\"#7a7a7a\"", "Grey dashed line"),
            ("stroke=\"#d97706\"", "Orange dotted line"), ("<circle cx=", "Purple dots"),
            ("stroke=\"#b45309\"", "Amber line"), ("stroke=\"#b91c1c\"", "Red dotted line"),
        ]
        for m in marks {
            let drawn = m.mark == "<circle cx=" ? svg.contains("fill=\"#7c3aed\"><title>") : svg.contains(m.mark)
            #expect(drawn ? caption.contains(m.words) : !caption.contains(m.words),
                    "\(name): \(m.words) — caption: \(caption)")
        }
    }

    /// The precision limit is drawn, labelled, when the tail reaches it, and not when the tail is far above.
    @Test func precisionLimitOnlyWhenItMatters() {
        var r = Fixtures.ok
        r.numericalFloor = 1e-9   // far below the 2e-4 floor
        #expect(!SpectrumPlot().svg(r, title: "x").contains("float64 precision limit"))
        r.numericalFloor = 1.5e-4  // the tail (down to 0.8e-4) sits at it
        let svg = SpectrumPlot().svg(r, title: "x")
        #expect(svg.contains(">float64 precision limit</text>"))
        #expect(SpectrumPlot.caption(r).contains("float64 precision limit"))
    }

    /// With σ_(d+1) below the precision limit the ratio as computed is not all certain: the report gives
    /// the drop down to the limit as the certain part.
    @Test func clampedCliffIsABound() {
        var r = Fixtures.ok
        r.numericalFloor = r.singularValues[384] * 1.01
        let bound = r.singularValues[383] / r.numericalFloor!
        #expect(ReportRenderer.text(r).contains("σ384 / σ385 = 5100 as computed; σ385 is below the float64 precision limit (\(Formatting.sci(r.numericalFloor!))), so only a drop of ×\(Formatting.sci(bound)) or more is certain"))
        r.numericalFloor = 1e-12
        #expect(ReportRenderer.text(r).contains("σ384 / σ385 = 5100\n"))
    }

    /// A lower bound at the last index stands inside the frame, not on its right edge.
    @Test func lowerBoundLineIsInsideTheFrame() throws {
        var r = Fixtures.insufficient
        r.lowerBound = r.singularValues.count
        let svg = SpectrumPlot().svg(r, title: "x")
        let line = try #require(svg.components(separatedBy: "<line ").first { $0.contains("#b45309") })
        let x1 = try #require(Double(line.components(separatedBy: "x1=\"")[1].prefix { $0 != "\"" }))
        let frameRight = 760.0 - 24
        #expect(x1 < frameRight - 10, "lower-bound line at x = \(x1), frame edge \(frameRight)")
    }

    @Test func parameterTablesAreFolded() {
        let html = ReportRenderer.html(Fixtures.ok)
        let details = html.range(of: "<details>")
        let table = html.range(of: "<th>Weight memory</th>")
        #expect(details != nil && table != nil && details!.lowerBound < table!.lowerBound)
    }

    /// Small multiples keep their tick labels at 10 px or more.
    @Test func compactTickLabelsAreLegible() throws {
        let svg = SpectrumPlot(width: 288, height: 150, compact: true).svg(Fixtures.ok, title: "x")
        let size = try #require(Double(svg.components(separatedBy: "font-size=\"")[1].prefix { $0 != "\"" }))
        #expect(size >= 10)
        #expect(!svg.contains("font-size=\"9\""))
    }

    @Test func longFloatsInProseAreShortened() {
        #expect(Formatting.shortenFloats("beyond 6.525068565466086e-07 nats") == "beyond 6.525e-07 nats")
        #expect(Formatting.shortenFloats("kept 12 of 0.5 and v1.2.3 at 0.1234567") == "kept 12 of 0.5 and v1.2.3 at 0.1235")
    }
}

/// Issue 12, batch: outcomes counted apart, non-input files skipped and listed, manifest keys checked.
@Suite struct BatchHonestyTests {
    static func entry(_ r: EstimateResult?, expected: Int?) -> BatchEntry {
        var e = BatchEntry(name: "m", slug: "m", inputs: [], expectedHiddenSize: expected, notes: nil, result: r, error: r == nil ? "broken" : nil)
        if let expected, let r { e.correct = r.status == .ok && r.hiddenDim == expected }
        e.outcome = e.judged
        return e
    }

    @Test func rightWrongUndecidedAreCountedApart() {
        let models = [Self.entry(Fixtures.ok, expected: 384), Self.entry(Fixtures.ok, expected: 512),
                      Self.entry(Fixtures.ambiguous, expected: 256), Self.entry(Fixtures.insufficient, expected: 4096),
                      Self.entry(nil, expected: 64)]
        #expect(models.map(\.outcome) == [.right, .wrong, .undecided, .undecided, .failed])
        let report = BatchReport(source: "m.yaml", toolVersion: "0.1.0", models: models)
        let line = BatchRenderer.summaryLine(report)
        #expect(line.contains("1 of 5 right, 1 wrong, 2 undecided, 1 failed where the size is known"), "\(line)")
        let index = BatchRenderer.index(report)
        #expect(index.contains("class=\"undecided\""))
        #expect(index.components(separatedBy: ">✗ ").count - 1 == 1, "exactly one ✗ (the wrong answer)")
    }

    @Test func nonInputFilesAreSkippedAndListed() throws {
        let dir = try TestData.temporaryDirectory("skip")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data([0x93] + Array("NUMPY".utf8)).write(to: dir.appendingPathComponent("a.npy"))
        try "remember to rerun".write(to: dir.appendingPathComponent("NOTES.txt"), atomically: true, encoding: .utf8)
        try #"{"id": "x"}"#.write(to: dir.appendingPathComponent("traffic.txt"), atomically: true, encoding: .utf8)
        let sub = dir.appendingPathComponent("vendor")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try Data().write(to: sub.appendingPathComponent("run.jsonl"))
        try "# notes".write(to: sub.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let m = try BatchManifest.load(path: dir.path)
        #expect(m.models.map(\.name) == ["a", "traffic", "vendor"])
        #expect(m.models[2].inputs == [sub.appendingPathComponent("run.jsonl").path])
        #expect(m.skippedFiles == [dir.appendingPathComponent("NOTES.txt").path, sub.appendingPathComponent("README.md").path])
        let report = BatchReport(source: dir.path, toolVersion: "0.1.0", models: [], skippedFiles: m.skippedFiles)
        #expect(BatchRenderer.summaryLine(report).contains("skipped 2 files that are not model inputs"))
        #expect(BatchRenderer.index(report).contains("<li class=\"mono\">NOTES.txt</li>"))
        #expect(BatchRenderer.markdown(report).contains("- vendor/README.md"))
    }

    /// Through the command: a NOTES.txt next to two models is skipped and named, and the exit status is 0.
    @Test func notesFileDoesNotFailTheBatch() throws {
        let exe = try #require(BatchTests.executable(), "rankprobe executable not found next to the test bundle")
        let dir = try TestData.temporaryDirectory("notes")
        defer { try? FileManager.default.removeItem(at: dir) }
        let models = dir.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try SyntheticModel(hidden: 24, vocab: 300, seed: 1).writeNPY(path: models.appendingPathComponent("d24.npy").path, samples: 80)
        try "rerun with more prompts".write(to: models.appendingPathComponent("NOTES.txt"), atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = exe
        p.arguments = ["batch", models.path, "--out", dir.appendingPathComponent("out").path, "--no-hash"]
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("skipped \(models.appendingPathComponent("NOTES.txt").path): not a model input"), "\(stderr)")
        let report = try EstimateResult.jsonDecoder().decode(
            BatchReport.self, from: Data(contentsOf: dir.appendingPathComponent("out/report.json")))
        #expect(report.models.map(\.name) == ["d24"] && report.models[0].result?.hiddenDim == 24)
        #expect(report.skippedFiles == [models.appendingPathComponent("NOTES.txt").path])
    }

    @Test(arguments: [
        ("models:\n  - name: a\n    inputs: [a.npy]\n    hidden: 4096\n", ":4:5: unknown key 'hidden' in models[0]; did you mean 'hidden_size'?"),
        ("models:\n  - name: a\n    inputs: [a.npy]\n    note: fp16\n", ":4:5: unknown key 'note' in models[0]; did you mean 'notes'?"),
        ("model:\n  - name: a\n    inputs: [a.npy]\n", ":1:1: unknown key 'model' at the top level; did you mean 'models'?"),
        ("models:\n  - name: a\n    inputs: [a.npy]\n    colour: red\n", ":4:5: unknown key 'colour' in models[0]; the keys are 'name', 'inputs', 'hidden_size', 'notes'"),
        // A collection used as a key (found by the manifest fuzz harness: its end event used to pop the
        // parent's frame, then an empty stack).
        ("{ [x.npy]: 1 }\n", ":1:3: unknown key '?' at the top level; the keys are 'models'"),
        ("models:\n  - name: a\n    inputs: [a.npy]\n    ? [b]\n    : 1\n", ":4:7: unknown key '?' in models[0]; the keys are 'name', 'inputs', 'hidden_size', 'notes'"),
    ] as [(String, String)])
    func unknownYAMLKeysAreRefused(_ yaml: String, _ phrase: String) throws {
        let dir = try TestData.temporaryDirectory("keys")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.yaml")
        try yaml.write(to: path, atomically: true, encoding: .utf8)
        #expect { try BatchManifest.load(path: path.path) } throws: { "\($0)" == path.path + phrase }
    }

    @Test func unknownJSONKeysAreRefused() throws {
        let dir = try TestData.temporaryDirectory("keys")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.json")
        try #"{"models": [{"name": "a", "inputs": ["a.npy"], "input": ["b.npy"]}]}"#.write(to: path, atomically: true, encoding: .utf8)
        #expect { try BatchManifest.load(path: path.path) } throws: {
            "\($0)" == path.path + ": unknown key 'input' in models[0]; did you mean 'inputs'?"
        }
    }

    /// Errors found while decoding (a wrong type, a bad number) name the line of the YAML node.
    @Test func yamlDecodingErrorsHaveLineNumbers() throws {
        let dir = try TestData.temporaryDirectory("lines")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.yaml")
        try "models:\n  - name: a\n    inputs: [a.npy]\n  - name: b\n    inputs: [b.npy]\n    hidden_size: 0x1000\n"
            .write(to: path, atomically: true, encoding: .utf8)
        #expect { try BatchManifest.load(path: path.path) } throws: {
            "\($0)".hasPrefix(path.path + ":6:18: models[1].hidden_size") && "\($0)".contains("decimal integer")
        }
    }
}
