import Foundation
import Testing

/// plan → synth --respond → estimate through the CLI, as the README runs it: the estimate of a planned run
/// reports the planned block, and never asks for values the plan did not request.
@Suite struct PlanPathTests {
    @Test func plannedForcedRunDoesNotAskForUnrequestedValues() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prompts = dir.appendingPathComponent("prompts.txt").path
        try Data((1...97).map { "Write the next word of story \($0)." }.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: prompts))
        let batch = dir.appendingPathComponent("batch").path
        let plan = try runCLI(["plan", "--vocab", "800", "--hidden-guess", "32", "--top-logprobs", "5", "--protocol", "forced",
                               "--emit-batch", prompts, "--out", batch, "--model", "gpt-4o-mini"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let out = batch + "/out.jsonl"
        let respond = try runCLI(["synth", "--hidden", "32", "--vocab", "800", "--seed", "5", "--noise", "1e-6",
                                  "--respond", batch + "/batch-0001.jsonl", "--out", out])
        #expect(respond.status == 0, "\(respond.stderr)")
        let estimate = try runCLI(["estimate", batch + "/batch-0001.jsonl", out, "--format", "json", "--no-hash"])
        #expect(estimate.status == 0, "\(estimate.stderr)")
        #expect(estimate.stdout.contains("\"hidden_dim\" : 32"), "\(estimate.stdout.prefix(400))")
        #expect(!estimate.stdout.contains("missing (prompt, token) log-probabilities"))
        #expect(!estimate.stdout.contains("cells are missing"))
        #expect(estimate.stdout.contains("every requested column (97 token ids) is complete for all 97 prompts"))
    }

    @Test func shortOrMissingPromptsFilesAreClearErrors() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prompts = dir.appendingPathComponent("prompts.txt").path
        try Data("one\ntwo\n".utf8).write(to: URL(fileURLWithPath: prompts))
        let args = ["plan", "--vocab", "800", "--hidden-guess", "32", "--emit-batch"]
        let short = try runCLI(args + [prompts, "--out", dir.appendingPathComponent("b").path])
        #expect(short.status != 0)
        #expect(short.stderr.contains("has 2 distinct non-blank prompts; the plan needs 97 (one prompt per line, each a different text: add 95 more lines)"), "\(short.stderr)")
        let missing = try runCLI(args + [dir.appendingPathComponent("none.txt").path, "--out", dir.appendingPathComponent("c").path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("none.txt: cannot read the prompts file (--emit-batch needs a text file with one prompt per line"), "\(missing.stderr)")
    }
}
