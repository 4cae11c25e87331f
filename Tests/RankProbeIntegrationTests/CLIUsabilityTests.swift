import Foundation
import RankProbeNPY
import RankProbeSynth
import Testing

/// Issue 12, the command line as a person meets it: help that reads, errors that name the subcommand and
/// the mistake, and output paths checked before any work.
@Suite struct CLIHelpTests {
    static let commands = ["", "estimate", "batch", "compare", "export"]

    /// Help paragraphs are written unwrapped, so the parser's wrapping is the only one: printed 1000 columns
    /// wide, a line of prose never stops mid-sentence with the sentence going on at the start of the next
    /// line (the hard wraps at ~100 columns did: "… per token; float16,\nfloat32 …").
    @Test(arguments: commands)
    func helpParagraphsAreUnwrapped(_ command: String) throws {
        let r = try runCLI(command.isEmpty ? ["help"] : ["help", command], environment: ["COLUMNS": "1000"])
        #expect(r.status == 0, "\(r.stderr)")
        let text = r.stdout.components(separatedBy: "\nUSAGE:")[0]
        let lines = text.components(separatedBy: "\n")
        for (i, line) in lines.enumerated().dropLast() {
            let next = lines[i + 1]
            guard !line.isEmpty, !next.isEmpty, !next.hasPrefix(" ") else { continue }
            let last = line.trimmingCharacters(in: .whitespaces).last!
            // A line that a paragraph continues ends a sentence or introduces what follows.
            #expect(".:;!?)".contains(last) || next == next.uppercased(),
                    "help \(command): hard-wrapped after line \(i + 1): \"\(line.suffix(60))\" / \"\(next.prefix(40))\"")
        }
    }

    @Test(arguments: commands)
    func helpHasExamples(_ command: String) throws {
        let r = try runCLI(command.isEmpty ? ["help"] : ["help", command], environment: [:])
        #expect(r.stdout.contains("EXAMPLE"), "help \(command) has no EXAMPLES section")
    }

    @Test func helpForAnUnknownCommandFails() throws {
        let r = try runCLI(["help", "foo"], environment: [:])
        #expect(r.status == 64)
        #expect(r.stderr.contains("'foo' is not a rankprobe command") && r.stderr.contains("estimate"), "\(r.stderr)")
        #expect(try runCLI(["help", "estimate"], environment: [:]).status == 0)
    }

    /// A validation error prints the subcommand's usage, not the root's.
    @Test func validationErrorsShowTheSubcommandsUsage() throws {
        let r = try runCLI(["estimate", "m.npy", "--protocol", "sideways"], environment: [:])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--protocol must be forced, biased or direct"), "\(r.stderr)")
        #expect(r.stderr.contains("Usage: rankprobe estimate"), "\(r.stderr)")
    }
}

@Suite struct CLIOutputPathTests {
    /// The input does not exist: an error about the output path proves it was checked first. (--emit-retry
    /// is checked before reading too: RetryCLITests.unwritableDestinationsFailBeforeReading.)
    @Test(arguments: [
        (["-o", "/nonexistent-dir/x.json"], "--output /nonexistent-dir/x.json: the folder /nonexistent-dir does not exist"),
        (["--report", "/nonexistent-dir/r.html"], "--report /nonexistent-dir/r.html: the folder /nonexistent-dir does not exist"),
        (["--report", "r.pdf"], "--report r.pdf: unknown extension"),
        (["--format", "markdown", "-o", "/tmp"], "--output /tmp: is a folder"),
    ] as [([String], String)])
    func outputPathsAreCheckedBeforeTheWork(_ options: [String], _ phrase: String) throws {
        let r = try runCLI(["estimate", "missing-input.npy"] + options, environment: [:])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains(phrase), "\(r.stderr)")
        #expect(!r.stderr.contains("missing-input.npy: no such file"))
    }

    @Test func sameFileTwiceIsRefused() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.npy").path
        try SyntheticModel(hidden: 8, vocab: 40, seed: 1).writeNPY(path: path, samples: 30)
        let same = dir.path + "/./m.npy"
        let r = try runCLI(["estimate", path, same], environment: [:])
        #expect(r.status == 64)
        #expect(r.stderr.contains("\(path) and \(same) are the same file"), "\(r.stderr)")
        let twice = try runCLI(["estimate", path, path], environment: [:])
        #expect(twice.status == 64 && twice.stderr.contains("\(path) is given twice"), "\(twice.stderr)")
    }
}

@Suite struct CLIMistakeTests {
    /// Probabilities (softmax of a rank-12 model) saved instead of log-probabilities: refused by name, not
    /// answered with an odd verdict.
    @Test func probabilitiesAreRecognised() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("p.npy").path
        let (rows, vocab, d) = (120, 300, 12)
        try NPYWriter.write(path: path, rows: rows, columns: vocab, scalar: .float32) { r, out in
            var z = [Double](repeating: 0, count: vocab)
            for j in 0..<vocab {
                for k in 0..<d { z[j] += sin(Double((r + 1) * (k + 3))) * cos(Double((j + 1) * (k + 1)) * 0.37) }
            }
            let m = z.max()!
            let total = z.reduce(0) { $0 + exp($1 - m) }
            for j in 0..<vocab { out[j] = exp(z[j] - m) / total }
        }
        let r = try runCLI(["estimate", path], environment: [:])
        #expect(r.status == 1)
        #expect(r.stderr.contains("look like probabilities, not log-probabilities"), "\(r.stderr)")
    }

    @Test func constantDataIsRecognised() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("c.npy").path
        try NPYWriter.write(path: path, rows: 50, columns: 80, scalar: .float32) { _, out in
            for j in 0..<out.count { out[j] = -3.25 }
        }
        let r = try runCLI(["estimate", path], environment: [:])
        #expect(r.status == 1)
        #expect(r.stderr.contains("the rows do not vary"), "\(r.stderr)")
        #expect(!r.stdout.contains("at least 0"))
    }

    /// Real log-probabilities pass both checks and keep their verdict.
    @Test func realLogProbabilitiesPass() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.npy").path
        try SyntheticModel(hidden: 16, vocab: 200, seed: 3).writeNPY(path: path, samples: 120)
        let r = try runCLI(["estimate", path, "--format", "json", "--no-hash"], environment: [:])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "ok" && json["hidden_dim"] as? Int == 16)
    }
}

/// Progress lines appear on a terminal only, and `--quiet` silences them. `script` gives the command a
/// pseudo-terminal; without one (a pipe, as in every other test) nothing is printed.
@Suite struct CLIProgressTests {
    @Test func progressOnATerminalOnly() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.npy").path
        try SyntheticModel(hidden: 16, vocab: 200, seed: 3).writeNPY(path: path, samples: 120)
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rankprobe").path
        func underTerminal(_ extra: String) throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            p.arguments = ["-qec", "'\(exe)' estimate '\(path)' --no-hash \(extra) >/dev/null", "/dev/null"]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let o = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return String(decoding: o, as: UTF8.self)
        }
        let shown = try underTerminal("")
        #expect(shown.contains("rankprobe: reading 1 file") && shown.contains("rankprobe: eigenvalues"), "\(shown)")
        let quiet = try underTerminal("--quiet")
        #expect(!quiet.contains("rankprobe: reading"), "\(quiet)")
        let piped = try runCLI(["estimate", path, "--no-hash"], environment: [:])
        #expect(!piped.stderr.contains("rankprobe: reading"))
    }
}

/// Issue 12: `Scripts/test` and `Scripts/demo` built into one folder with different flags, so each rebuilt
/// everything after the other. The demo has its own folder; the README checker uses the test build's
/// flags and folder (so CI does not build twice).
@Suite struct ScriptBuildFolderTests {
    static func script(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Scripts").appendingPathComponent(name), encoding: .utf8)
    }

    @Test func demoAndTestDoNotShareABuildFolder() throws {
        let demo = try Self.script("demo"), test = try Self.script("test"), readme = try Self.script("check-readme")
        let demoBuilds = demo.components(separatedBy: "\n").filter { $0.contains("swift build") && !$0.hasPrefix("#") }
        #expect(!demoBuilds.isEmpty && demoBuilds.allSatisfy { $0.contains("--scratch-path .build-demo") }, "\(demoBuilds)")
        #expect(test.contains("swift test -c release -Xswiftc -enable-testing") && !test.contains("--scratch-path"))
        // The checker builds exactly what `swift test` builds (tests included): the product alone compiles
        // every module differently and the two would rebuild each other.
        let readmeBuilds = readme.components(separatedBy: "\n").filter { $0.contains("swift build") && !$0.hasPrefix("#") }
        #expect(readmeBuilds.count == 2, "\(readmeBuilds)")
        #expect(readmeBuilds.allSatisfy { $0.contains("-c release -Xswiftc -enable-testing") && !$0.contains("--scratch-path") })
        #expect(readmeBuilds.contains { $0.contains("--build-tests") })
    }
}

/// `Scripts/check-readme` on small READMEs: a failing command is named by its README line, `console`
/// blocks run their `$ ` lines only, an unlabelled fence is an error, and a skip marker skips.
@Suite struct CheckReadmeTests {
    func check(_ readme: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("README.md").path
        try readme.write(toFile: path, atomically: true, encoding: .utf8)
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rankprobe").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [root.appendingPathComponent("Scripts/check-readme").path, path]
        p.environment = ProcessInfo.processInfo.environment.merging(["RANKPROBE_BIN": exe]) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func failingCommandIsNamedByItsLine() throws {
        let r = try check("# t\n\n```sh\nrankprobe --version\ntouch made-here\n```\n\ntext\n\n```console\n$ ls made-here\nmade-here\n$ rankprobe help nosuchcommand\n```\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("FAILED: README.md:13 (block at line 10)"), "\(r.stderr)")
    }

    @Test func conventionIsEnforced() throws {
        let unlabelled = try check("```\nls\n```\n")
        #expect(unlabelled.status == 1 && unlabelled.stderr.contains("README.md:1: code block without a language"), "\(unlabelled.stderr)")
        let skipped = try check("<!-- check-readme: skip: needs a clone -->\n```sh\nfalse\n```\n\n```yaml\nnot: run\n```\n\n```console\n$ true\nanything\n```\n")
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("README.md:2: skipped (needs a clone)") && skipped.stdout.contains("1 blocks ran, 1 skipped, all passed"))
    }
}
