import Foundation
import RankProbeLinearAlgebra

/// Restarts the command once with `OPENBLAS_CORETYPE` set when OpenBLAS runs kernels narrower than the CPU
/// supports (see `BLASCore`): OpenBLAS reads that variable only while the library loads, before `main`, so
/// setting it later has no effect and the process itself has to start again.
///
/// The restart is the same executable (`/proc/self/exe`), the same arguments and standard streams, and the
/// environment plus two variables: `OPENBLAS_CORETYPE` and `RANKPROBE_OPENBLAS_DETECTED` (what OpenBLAS had
/// picked, for `spectrum.blas`; its presence also stops a second restart). Setting `OPENBLAS_CORETYPE`
/// yourself, to any kernel set, turns this off. If the restart fails the command carries on with the
/// kernels it has: slower, not different.
enum BLASCoreChoice {
    static func restartIfNarrow() {
        let environment = ProcessInfo.processInfo.environment
        guard environment[BLASCore.detectedKey] == nil else { return }
        let running = BLASCore.running
        guard let core = BLASCore.replacement(running: running, widestSupported: BLASCore.widestSupported,
                                              environment: environment) else { return }
        setenv(BLASCore.environmentKey, core, 1)
        setenv(BLASCore.detectedKey, running, 1)
        fflush(nil)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv(BLASCore.environmentKey)
        unsetenv(BLASCore.detectedKey)
    }
}
