import Foundation
import Testing

/// `rankprobe estimate --emit-retry` through the built binary: a corrupted synthetic Batch log, its retry
/// file answered by `synth --respond --as-log-writer`, and destinations that cannot be written.
@Suite struct RetryCLITests {
    func json(_ r: (status: Int32, stdout: String, stderr: String)) throws -> [String: Any] {
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    func synthLog(_ dir: URL) throws -> [String] {
        let prefix = dir.appendingPathComponent("run").path
        let r = try runCLI(["synth", "--hidden", "24", "--vocab", "200", "--samples", "32", "--seed", "3", "--format", "openai-batch",
                            "--protocol", "forced", "--tokens", "32", "--top-logprobs", "0", "--corruption-rate", "0.01",
                            "--out", prefix])
        #expect(r.status == 0, "\(r.stderr)")
        return [prefix + ".input.jsonl", prefix + ".output.jsonl"]
    }

    @Test func emitRetryThenRespondThenEstimateAll() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try synthLog(dir)
        let (lost, _) = try lostCustomIDs(input: files[0], output: files[1])
        #expect(lost.count > 0)
        // A PATH ending in .jsonl is a prefix too: retry-0001.jsonl.
        let first = try json(try runCLI(["estimate"] + files + ["--format", "json", "--no-hash", "--emit-retry",
                                                                dir.appendingPathComponent("retry.jsonl").path]))
        let input = try #require(first["input"] as? [String: Any])
        #expect(input["requests_retryable"] as? Int == lost.count)
        let retryFile = dir.appendingPathComponent("retry-0001.jsonl").path
        #expect(input["retry_files"] as? [String] == [retryFile])
        #expect(input["requests_read"] as? Int == 32 * 32)  // existing keys unchanged
        let retried = try String(contentsOfFile: retryFile, encoding: .utf8).split(separator: "\n")
        #expect(retried.count == lost.count)

        let answers = dir.appendingPathComponent("retry-0001.output.jsonl").path
        let r = try runCLI(["synth", "--hidden", "24", "--vocab", "200", "--seed", "3", "--respond", retryFile,
                            "--as-log-writer", "--out", answers])
        #expect(r.status == 0, "\(r.stderr)")
        let merged = try json(try runCLI(["estimate"] + files + [retryFile, answers, "--format", "json", "--no-hash"]))
        #expect(merged["status"] as? String == "ok", "\(merged["warnings"] ?? "")")
        #expect(merged["hidden_dim"] as? Int == 24)
        let mergedInput = try #require(merged["input"] as? [String: Any])
        #expect(mergedInput["requests_retryable"] as? Int == 0)
        #expect(mergedInput["rows_kept"] as? Int == 32 && mergedInput["columns_kept"] as? Int == 32)
        #expect(mergedInput["retry_files"] == nil)

        // Text output names the count and the file; an existing directory as PATH gets retry-0001.jsonl inside.
        let sub = dir.appendingPathComponent("again")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let text = try runCLI(["estimate"] + files + ["--no-hash", "--emit-retry", sub.path])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("\(lost.count) requests lost"), "\(text.stdout)")
        #expect(FileManager.default.fileExists(atPath: sub.appendingPathComponent("retry-0001.jsonl").path))
    }

    @Test func unwritableDestinationsFailBeforeReading() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try synthLog(dir)
        let plainFile = dir.appendingPathComponent("plain.txt").path
        try "x".write(toFile: plainFile, atomically: true, encoding: .utf8)
        for bad in [dir.appendingPathComponent("no/such/dir/retry").path, plainFile + "/retry", "/proc/rankprobe-retry"] {
            let r = try runCLI(["estimate"] + files + ["--no-hash", "--emit-retry", bad])
            #expect(r.status != 0, "\(bad): \(r.stdout)")
            #expect(r.stderr.contains(bad + "-0001.jsonl: cannot create the retry file"), "\(r.stderr)")
            #expect(r.stdout.isEmpty)
            #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Backtrace"))
        }
        #expect(!FileManager.default.fileExists(atPath: "/proc/rankprobe-retry-0001.jsonl"))
    }

    @Test func npyInputsHaveNothingToRetry() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let npy = dir.appendingPathComponent("m.npy").path
        #expect(try runCLI(["synth", "--hidden", "8", "--vocab", "40", "--samples", "20", "--out", npy]).status == 0)
        let r = try runCLI(["estimate", npy, "--no-hash", "--emit-retry", dir.appendingPathComponent("r").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--emit-retry") && r.stderr.contains(npy), "\(r.stderr)")
    }
}
