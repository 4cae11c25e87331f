import Foundation
import Testing
@testable import RankProbeLinearAlgebra

/// When rankprobe overrides OpenBLAS's kernel choice, and when it must not.
@Suite struct BLASCoreTests {
    @Test func narrowFallbackOnAWideCPUIsReplaced() {
        // OpenBLAS 0.3.21 runs Prescott on a CPU model it does not know (an Emerald Rapids VM here).
        #expect(BLASCore.replacement(running: "Prescott", widestSupported: "SkylakeX", environment: [:]) == "SkylakeX")
        #expect(BLASCore.replacement(running: "Nehalem", widestSupported: "Haswell", environment: [:]) == "Haswell")
        #expect(BLASCore.replacement(running: "Sandybridge", widestSupported: "SkylakeX", environment: [:]) == "SkylakeX")
        // An empty variable is no choice.
        #expect(BLASCore.replacement(running: "Prescott", widestSupported: "SkylakeX",
                                     environment: ["OPENBLAS_CORETYPE": ""]) == "SkylakeX")
    }

    @Test func userChoiceAndWideKernelsAreKept() {
        // Anything the user set wins, even a narrow kernel set.
        #expect(BLASCore.replacement(running: "Prescott", widestSupported: "SkylakeX",
                                     environment: ["OPENBLAS_CORETYPE": "Prescott"]) == nil)
        // AVX2 kernels on an AVX-512 CPU are OpenBLAS's tuning, not a misdetection.
        #expect(BLASCore.replacement(running: "Zen", widestSupported: "SkylakeX", environment: [:]) == nil)
        #expect(BLASCore.replacement(running: "Haswell", widestSupported: "SkylakeX", environment: [:]) == nil)
        #expect(BLASCore.replacement(running: "SkylakeX", widestSupported: "SkylakeX", environment: [:]) == nil)
        // A CPU without AVX2, or a name this table does not know: nothing to gain, or nothing known.
        #expect(BLASCore.replacement(running: "Prescott", widestSupported: nil, environment: [:]) == nil)
        #expect(BLASCore.replacement(running: "NewCore2030", widestSupported: "SkylakeX", environment: [:]) == nil)
    }

    @Test func reportNamesWhoChose() {
        let running = BLASCore.running
        #expect(!running.isEmpty)
        let forced = BLASCore.report(environment: ["OPENBLAS_CORETYPE": running])
        #expect(forced == BLASCoreReport(core: running, chosenBy: "OPENBLAS_CORETYPE", detected: nil))
        let restarted = BLASCore.report(environment: ["OPENBLAS_CORETYPE": running, BLASCore.detectedKey: "Prescott"])
        #expect(restarted == BLASCoreReport(core: running, chosenBy: "rankprobe", detected: "Prescott"))
        let own = BLASCore.report(environment: [:])
        #expect(own.chosenBy == "OpenBLAS")
        #expect(own.wider == BLASCore.replacement(running: running, widestSupported: BLASCore.widestSupported,
                                                  environment: [:]))
    }

    @Test func theCPUCheckAgreesWithCPUInfo() throws {
        // /proc/cpuinfo's flags are the kernel's reading of the same CPUID (and XCR0) bits.
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let line = try #require(info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }))
        let flags = Set(line.split(separator: ":")[1].split(separator: " ").map(String.init))
        let avx512 = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains)
        let avx2 = flags.contains("avx2") && flags.contains("fma")
        #expect(BLASCore.widestSupported == (avx512 ? "SkylakeX" : avx2 ? "Haswell" : nil))
    }
}
