import Foundation
import RankProbe
import RankProbeLogs

/// A fixed synthetic set of results, shaped like real spectra: a few dominant leading values, a power-law
/// bulk, a cliff at d down to a noise floor. Everything is deterministic (no random numbers, fixed timings
/// and paths), so renderings can be compared with golden files byte for byte.
enum Fixtures {
    /// σ_i for i = 1…n: `dominant` values far above a power law c·i^(-0.6) up to d, then a noise floor with a
    /// gentle deterministic ripple. d = nil: no cliff (all power law).
    static func spectrum(n: Int, d: Int?, dominant: Int = 3, floor: Double = 2e-4, secondCliff: Int? = nil) -> [Double] {
        (1...n).map { i -> Double in
            let bulk = 40 * pow(Double(i), -0.6)
            if i <= dominant { return bulk * pow(6, Double(dominant - i + 1)) }
            if let d, i > d {
                let t = Double(i - d) / Double(max(1, n - d))
                return floor * (1 + 0.25 * sin(Double(i) * 0.7)) * (1 - 0.6 * t)
            }
            if let s = secondCliff, i > s { return bulk * 0.02 }
            return bulk
        }
    }

    static let ok = EstimateResult(
        status: .ok, hiddenDim: 384, candidates: [.init(dim: 384, ratio: 5.1e3)], samples: 600, columns: 8192,
        columnsDropped: 12, outputBias: false, biasTest: .init(residual: 0.0021, threshold: 3.2e-3),
        gap: .init(index: 384, ratio: 5.1e3), noiseFloor: 2e-4, confidence: "high", dominantDirections: 3,
        singularValues: spectrum(n: 600, d: 384), message: "The hidden size is 384 (cliff ×5100 after σ384).",
        warnings: [], seconds: .init(load: 0.412, spectrum: 1.25, total: 1.71),
        inputs: [.init(path: "data/synthetic-d384.npy", bytes: 19_660_928, sha256: String(repeating: "ab", count: 32), format: "npy")],
        input: nil, toolVersion: "0.1.0", commandLine: ["rankprobe", "estimate", "data/synthetic-d384.npy", "--format", "html"])

    static let insufficient = EstimateResult(
        status: .insufficient, lowerBound: 199, samples: 200, columns: 4096, outputBias: nil, confidence: "none",
        dominantDirections: 2, singularValues: spectrum(n: 200, d: nil, dominant: 2), suggestedSamples: 1600,
        message: "No cliff among 200 singular values: the hidden size is at least 199. Collect about 1600 samples.",
        warnings: ["Fewer samples than the hidden size: every sample adds a new direction, so no cliff can show yet."],
        seconds: .init(load: 0.05, spectrum: 0.12, total: 0.2),
        inputs: [.init(path: "logs/batch-001.jsonl.gz", bytes: 4_120_334, sha256: String(repeating: "0f", count: 32), format: "openai-batch")],
        input: IngestSummary(
            formats: ["openai-batch"], protocols: ["forced": 200], requestsRead: 240, requestsFailed: 3,
            skipped: ["duplicate": 25, "http-error": 15], rowsSeen: 215, columnsSeen: 5000, rowsKept: 200,
            columnsKept: 4096, servingNoise: 0.0031, model: "vendor/model-x", notes: ["Kept the largest complete block."]),
        toolVersion: "0.1.0", commandLine: ["rankprobe", "estimate", "logs/batch-001.jsonl.gz"])

    static let ambiguous = EstimateResult(
        status: .ambiguous, candidates: [.init(dim: 256, ratio: 48), .init(dim: 320, ratio: 31)], samples: 500,
        columns: 2048, outputBias: true, biasTest: .init(residual: 0.93, threshold: 1e-3), noiseFloor: 3e-4,
        confidence: "none", dominantDirections: 1, singularValues: spectrum(n: 500, d: 320, dominant: 1, floor: 3e-4, secondCliff: 256),
        message: "Two cliffs of similar depth: after 256 and after 320.",
        warnings: ["The two candidate cliffs differ by less than a factor of 2 in depth."],
        seconds: .init(load: 0.3, spectrum: 0.9, total: 1.3),
        inputs: [.init(path: "logs/a.jsonl", bytes: 1_000_000, sha256: nil, format: "openai-chat")],
        input: IngestSummary(formats: ["openai-chat"], protocols: ["biased-anchor": 500], requestsRead: 500, rowsSeen: 500,
                             columnsSeen: 2048, rowsKept: 500, columnsKept: 2048),
        toolVersion: "0.1.0", commandLine: ["rankprobe", "estimate", "logs/a.jsonl"])

    /// Input strings that must never reach markup raw.
    static let scriptName = "<script>alert(1)</script>"
    static let invalidUTF8Token = String(decoding: [0x22, 0x74, 0xFF, 0xFE, 0x6B, 0x22, 0x26, 0xC3], as: UTF8.self)
    static let hostileToken = "tok\"en' & <b>bold</b> \u{1B}[31mred\u{0}"

    static var hostile: EstimateResult {
        var r = ok
        r.hiddenDim = 64
        r.gap = .init(index: 64, ratio: 900)
        r.candidates = [.init(dim: 64, ratio: 900)]
        r.singularValues = spectrum(n: 120, d: 64)
        r.message = "Token \(hostileToken) broke nothing"
        r.warnings = ["token string \(hostileToken) and \(invalidUTF8Token)", "error text: \(scriptName)"]
        r.inputs = [.init(path: "dir/\"quoted\" & <odd>'name'.jsonl", bytes: 10, sha256: nil, format: scriptName)]
        r.input = IngestSummary(formats: [scriptName], protocols: [scriptName: 1], skipped: [hostileToken: 2],
                                model: scriptName, notes: [invalidUTF8Token])
        r.commandLine = ["rankprobe", "estimate", scriptName]
        return r
    }

    static let all: [(name: String, result: EstimateResult)] = [("ok", ok), ("insufficient", insufficient), ("ambiguous", ambiguous)]
}
