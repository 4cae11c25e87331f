import Foundation
import Testing

/// `--out` into folders that do not exist yet, as a user scripting a run would write it.
@Suite struct SynthOutputFolderTests {
    @Test func npyOutputCreatesItsFolder() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("runs/a/b/model.npy").path
        let r = try runCLI(["synth", "--hidden", "4", "--vocab", "20", "--samples", "8", "--out", path])
        #expect(r.status == 0, "\(r.stderr)")
        // 8 × 20 float32 values after the header.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size > 8 * 20 * 4 && size < 8 * 20 * 4 + 512)
    }

    @Test func logOutputCreatesItsFolder() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prefix = dir.appendingPathComponent("logs/today/run").path
        let r = try runCLI(["synth", "--hidden", "4", "--vocab", "20", "--samples", "6", "--format", "openai-batch",
                            "--tokens", "10", "--out", prefix])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: prefix + ".input.jsonl"))
        #expect(FileManager.default.fileExists(atPath: prefix + ".output.jsonl"))
    }

    @Test func unusableFolderIsNamed() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A regular file where the folder should go.
        let blocker = dir.appendingPathComponent("file").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let r = try runCLI(["synth", "--hidden", "4", "--vocab", "20", "--samples", "8", "--out", blocker + "/sub/model.npy"])
        #expect(r.status != 0)
        #expect(r.stderr.contains(blocker + "/sub"), "\(r.stderr)")
    }
}
