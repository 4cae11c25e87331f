import Foundation
import Testing
import RankProbeLinearAlgebra
import RankProbeSynth

/// The command line runs the widest kernels the CPU supports when OpenBLAS fell back to narrow ones, keeps
/// a user's `OPENBLAS_CORETYPE`, and says in the JSON which kernels ran and who chose them.
@Suite struct BLASCoreCLITests {
    private func blas(of json: String) throws -> [String: String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let spectrum = try #require(object["spectrum"] as? [String: Any])
        return try #require(spectrum["blas"] as? [String: String])
    }

    private func model() throws -> String {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("blas-d16.npy").path
        try SyntheticModel(hidden: 16, vocab: 400, seed: 5).writeNPY(path: path, samples: 60)
        return path
    }

    @Test func unsetCoreTypeGetsTheWidestWhenOpenBLASFellBack() throws {
        let path = try model()
        let r = try runCLI(["estimate", path, "--format", "json", "--no-hash"],
                           unset: [BLASCore.environmentKey, BLASCore.detectedKey])
        #expect(r.status == 0, "\(r.stderr)")
        // What OpenBLAS detects by itself on this machine: a child with the variable unset and the restart
        // marker already set (so it does not restart). Not this test process's kernels: the suites also run
        // under OPENBLAS_CORETYPE=Haswell and SkylakeX.
        let own = try runCLI(["estimate", path, "--format", "json", "--no-hash"],
                             environment: [BLASCore.detectedKey: "test"], unset: [BLASCore.environmentKey])
        #expect(own.status == 0, "\(own.stderr)")
        let ownReport = try blas(of: own.stdout)
        #expect(ownReport["chosen_by"] == "OpenBLAS")
        let detected = try #require(ownReport["core"])
        let expected = BLASCore.replacement(running: detected, widestSupported: BLASCore.widestSupported, environment: [:])
        let b = try blas(of: r.stdout)
        if let expected {
            #expect(b == ["core": expected, "chosen_by": "rankprobe", "detected": detected])
        } else {
            #expect(b == ["core": detected, "chosen_by": "OpenBLAS"])
        }
        // OpenBLAS's own choice, when narrower than the CPU runs, is named as such in the no-restart child.
        #expect(ownReport["wider"] == expected)
    }

    @Test func aUserChoiceIsKept() throws {
        let path = try model()
        // Prescott runs on every x86-64 CPU, and is exactly what rankprobe would otherwise replace.
        let r = try runCLI(["estimate", path, "--format", "json", "--no-hash"],
                           environment: [BLASCore.environmentKey: "Prescott"], unset: [BLASCore.detectedKey])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try blas(of: r.stdout) == ["core": "Prescott", "chosen_by": "OPENBLAS_CORETYPE"])
        #expect(r.stdout.contains("\"hidden_dim\" : 16"))
    }
}
