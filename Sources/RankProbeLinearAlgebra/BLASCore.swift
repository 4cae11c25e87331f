import _LinearAlgebraShims

/// Which of OpenBLAS's kernel sets ("core types") runs, and when rankprobe should ask for another.
///
/// OpenBLAS built with DYNAMIC_ARCH (Debian's is) picks its kernels once, when the library loads, from the
/// CPU's vendor, family and model — or from `OPENBLAS_CORETYPE` when that is set. A model it does not know
/// (a CPU newer than the library, or a virtual machine that reports a generic model) gets the `Prescott`
/// kernels: SSE3, two doubles per instruction, on a CPU that may run eight. Every Gram and eigensolve then
/// runs several times slower than the hardware allows, while numpy — which ships a newer OpenBLAS — uses
/// the wide kernels on the same machine. The CPU's feature bits, unlike its model number, say what it can
/// run, so the command-line tool restarts itself once with `OPENBLAS_CORETYPE` set to the widest kernel set
/// those bits allow (see `replacement`), and the JSON says so (`spectrum.blas`).
///
/// Only kernels narrower than AVX2 are replaced: they are what an unrecognised model falls back to. An AVX2
/// set on an AVX-512 CPU (OpenBLAS's `Zen` kernels on a Zen 4 or 5, say) is a tuning choice of the library's,
/// not a misdetection, and is left alone; so is anything the user set.
public enum BLASCore {
    /// The kernel set running in this process.
    public static var running: String { String(cString: rp_blas_core_name()) }

    /// OpenBLAS's build line (version, DYNAMIC_ARCH, threading).
    public static var configuration: String { String(cString: rp_blas_config()) }

    /// The widest kernel set the CPU and operating system support ("SkylakeX", "Haswell"), or nil.
    public static var widestSupported: String? { rp_cpu_widest_openblas_core().map { String(cString: $0) } }

    /// The environment variable OpenBLAS reads at load time to force a kernel set.
    public static let environmentKey = "OPENBLAS_CORETYPE"

    /// Set by the command-line tool in the process it restarts: the kernel set OpenBLAS had chosen itself.
    public static let detectedKey = "RANKPROBE_OPENBLAS_DETECTED"

    /// OpenBLAS's x86-64 kernel sets that use no vector instructions wider than 128-bit SSE or 256-bit AVX
    /// without FMA/AVX2 (names as `openblas_get_corename` spells them, compared case-insensitively).
    static let narrowCores: Set<String> = [
        "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn", "dunnington",
        "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "bobcat",
        "sandybridge", "bulldozer", "piledriver", "steamroller",
    ]

    /// The kernel set to run instead of `running`, or nil to keep it: only when the user has not chosen one
    /// (`OPENBLAS_CORETYPE` unset or empty), the running set is narrower than AVX2, and the CPU supports a
    /// wider one.
    public static func replacement(running: String, widestSupported: String?, environment: [String: String]) -> String? {
        if let forced = environment[environmentKey], !forced.isEmpty { return nil }
        guard let widest = widestSupported, narrowCores.contains(running.lowercased()) else { return nil }
        return widest
    }

    /// What ran and who chose it, for the result.
    public static func report(environment: [String: String]) -> BLASCoreReport {
        let core = running
        if let detected = environment[detectedKey], !detected.isEmpty,
           environment[environmentKey]?.lowercased() == core.lowercased() {
            return BLASCoreReport(core: core, chosenBy: "rankprobe", detected: detected)
        }
        if let forced = environment[environmentKey], !forced.isEmpty {
            return BLASCoreReport(core: core, chosenBy: environmentKey, detected: nil)
        }
        let better = replacement(running: core, widestSupported: widestSupported, environment: environment)
        return BLASCoreReport(core: core, chosenBy: "OpenBLAS", detected: nil, wider: better)
    }
}

/// The OpenBLAS kernel set behind a result (`spectrum.blas` in the JSON). Results agree across kernel sets
/// only to rounding (each orders its sums differently), so a reproduction names the same one.
public struct BLASCoreReport: Codable, Sendable, Equatable {
    /// The kernel set that ran, as OpenBLAS names it.
    public var core: String
    /// "OpenBLAS" (its own detection), "OPENBLAS_CORETYPE" (the environment), or "rankprobe" (the command
    /// line restarted itself because OpenBLAS had chosen kernels narrower than the CPU runs).
    public var chosenBy: String
    /// When rankprobe chose: what OpenBLAS had detected.
    public var detected: String?
    /// When OpenBLAS's own choice is narrower than the CPU supports (a library caller that did not set
    /// `OPENBLAS_CORETYPE`): the kernel set that would run faster.
    public var wider: String?

    public init(core: String, chosenBy: String, detected: String?, wider: String? = nil) {
        self.core = core; self.chosenBy = chosenBy; self.detected = detected; self.wider = wider
    }
}
