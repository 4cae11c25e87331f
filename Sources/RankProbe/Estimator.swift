import Foundation
import RankProbeDetect
import RankProbeLinearAlgebra
import RankProbeLogs
import RankProbeMatrix
import RankProbeNPY
import RankProbeSpectrum
import _SystemShims

/// Options for one estimate.
public struct EstimateOptions: Sendable {
    /// For mixed-model logs: keep only responses from this model.
    public var model: String?
    /// For logs: force one reconstruction protocol instead of detecting it per request.
    public var logProtocol: LogProtocol?
    /// Hash every input file (SHA-256) for provenance. Costs one extra read of each file.
    public var hashInputs: Bool
    /// Recorded in the result for provenance.
    public var commandLine: [String]
    public var detector: Detector
    /// Called with progress messages (stage names); the CLI prints them to a terminal.
    public var progress: (@Sendable (String) -> Void)?
    /// For logs: write the sent requests that got no usable answer as Batch API input files here (a prefix,
    /// or an existing directory; see `RetryLedger.destination`).
    public var emitRetry: String?
    /// Exact Gram, sketched Gram, or the sketch when the data leave a wide margin (see `Estimator.spectrum`);
    /// nil is `auto` unless `RANKPROBE_SPECTRUM` says otherwise.
    public var spectrum: SpectrumChoice? = nil
    /// Sketch width m (default 2N, see `TokenSketch.defaultWidth`).
    public var sketchColumns: Int? = nil

    public init(model: String? = nil, logProtocol: LogProtocol? = nil, hashInputs: Bool = true, commandLine: [String] = [],
                detector: Detector = Detector(), progress: (@Sendable (String) -> Void)? = nil, emitRetry: String? = nil) {
        self.model = model; self.logProtocol = logProtocol; self.hashInputs = hashInputs; self.commandLine = commandLine
        self.detector = detector; self.progress = progress; self.emitRetry = emitRetry
    }
}

/// An input problem that is not tied to one format's reader (missing file, mixed kinds of input).
public struct InputError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The whole pipeline: read → assemble → spectrum → detect, producing the JSON contract.
public enum Estimator {
    public static func estimate(paths: [String], options: EstimateOptions = EstimateOptions()) throws -> EstimateResult {
        let clock = ContinuousClock()
        let t0 = clock.now
        guard !paths.isEmpty else { throw InputError("no input files given") }
        var isNPY: [Bool] = []
        for path in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw InputError("\(path): no such file")
            }
            if isDir.boolValue { throw InputError("\(path): is a directory, not a file") }
            isNPY.append(path.hasSuffix(".npy") || hasNPYMagic(path))
        }
        if Set(isNPY).count > 1 {
            let npy = zip(paths, isNPY).filter { $0.1 }.map(\.0)
            let other = zip(paths, isNPY).filter { !$0.1 }.map(\.0)
            throw InputError(
                "cannot mix .npy dumps (\(npy.joined(separator: ", "))) with API logs (\(other.joined(separator: ", "))) in one estimate")
        }

        if options.emitRetry != nil, isNPY[0] {
            throw InputError("--emit-retry writes unanswered API requests; \(paths.joined(separator: ", ")) are .npy dumps, which hold none")
        }
        let retryPrefix = try options.emitRetry.map { path throws(RetryWriteError) in try RetryLedger.destination(path) }

        options.progress?("reading \(counted(paths.count, "file"))")
        let source: SampleSource
        var ingest: IngestSummary? = nil
        var reach: ContextReach? = nil
        var formats: [String]
        if isNPY[0] {
            source = try SampleSource.load(paths: paths)
            formats = paths.map { _ in "npy" }
        } else {
            let loaded = try loadLogs(paths: paths, options: options, retryPrefix: retryPrefix)
            source = .dense(loaded.samples)
            ingest = loaded.summary
            reach = loaded.reach
            formats = paths.map { _ in loaded.summary.formats.joined(separator: "+") }
        }
        let scan = FinitenessScan(source)
        let tLoaded = clock.now

        var warnings: [String] = []
        if scan.negativeInfinities + scan.nans + scan.positiveInfinities > 0 {
            warnings.append(
                "dropped \(scan.droppedColumns) of \(scan.totalColumns) token columns and \(scan.droppedRows) of \(scan.totalRows) samples holding non-finite values (\(scan.negativeInfinities) −inf, \(scan.nans) NaN, \(scan.positiveInfinities) +inf)")
        }
        let n = scan.keptRows.count
        guard n >= 2 else {
            throw InputError("\(paths.joined(separator: ", ")): only \(n) usable sample(s) after dropping non-finite rows; at least 2 are needed")
        }
        guard scan.keptColumns.count >= 2 else {
            throw InputError("\(paths.joined(separator: ", ")): every token column holds a non-finite value (−inf/NaN) in some sample; nothing is left to analyse")
        }

        let edge = scan.rounding.expectedEdge(samples: n, columns: scan.keptColumns.count)
        var known: [KnownNoise] = []
        if scan.rounding.perEntry > 0 { known.append(KnownNoise(source: .grid, sigma: scan.rounding.perEntry)) }
        // The ingest reports the median absolute spread of repeats; for Gaussian noise σ ≈ 1.4826 × that.
        // Cells combine their repeats by the median, so the cell noise is at most this: as a floor under
        // the fitted bulk it can only make the count more cautious.
        if let spread = ingest?.servingNoise, spread > 0 { known.append(KnownNoise(source: .repeats, sigma: 1.4826 * spread)) }
        // The exact Gram, or a sketch of the token columns when the data leave room (Estimator+Spectrum).
        let spectrum = try Self.spectrum(source: source, scan: scan, known: known, options: options)
        let sv = spectrum.singularValues, gram = spectrum.gram, detection = spectrum.detection
        let tGram = tLoaded + .seconds(spectrum.report.sketchSeconds ?? 0) + .seconds(spectrum.gramSeconds)
        let tEigen = tGram + .seconds(spectrum.eigenSeconds)
        var spectrumReport = spectrum.report
        spectrumReport.blas = BLASCore.report(environment: ProcessInfo.processInfo.environment)
        if let step = scan.rounding.quantizationStep, step >= 1e-3 {
            warnings.append(String(format: "the values lie on a grid of step %g (rounded by the API or the recorder): rounding noise of %.3g per entry puts a floor near σ ≈ %.3g", step, scan.rounding.perEntry, edge))
        }
        warnings += detection.warnings
        if let ingest { warnings += retryWarnings(ingest, verdict: detection.verdict) }

        var outputBias: Bool? = nil
        var biasTest: EstimateResult.BiasTest? = nil
        if detection.verdict == .ok, gram == nil {
            warnings.append("output-bias test not run: it works on the sample-side Gram, used only when there are at least as many token columns as samples")
        }
        if detection.verdict == .ok, let d = detection.rank, let gram {
            options.progress?("output-bias test")
            // μ between the signal's weakest eigenvalue and the noise edge's (geometric mean).
            let mu = sv[d - 1] * max(detection.noise.edge, detection.numericalFloor)
            // The residual expected without an offset is computed from the data (see `noOffsetResidual`):
            // real final hidden states are nearly constant along a few directions, which puts the all-ones
            // vector close to the signal space even without a bias, so no fixed fraction of the generic
            // √((m − d)/N) can serve as the cut. Noise blurs both residuals, so decide only far from 1.
            let expected = try gram.noOffsetResidual(mu: mu)
            let residual = try gram.offsetResidual(mu: mu)
            let cut = Self.offsetCut * expected, noOffsetCut = Self.noOffsetCut * expected
            biasTest = .init(residual: residual, threshold: mu, expected: expected, cut: cut, noOffsetCut: noOffsetCut)
            if residual < cut {
                outputBias = true
                warnings.append(
                    "the outputs carry a constant offset outside the span of the varying part: an output bias (hidden size \(d)) — or, for a model whose final norm is a LayerNorm with a learned shift, that shift seen through the unembedding (hidden size \(d + 1))")
            } else if residual > noOffsetCut {
                outputBias = false
            } else {
                warnings.append(String(format: "output-bias test inconclusive (residual %.3g; %.3g expected without an offset, below %.3g would mean one)", residual, expected, cut))
            }
        }
        let tSpectrum = clock.now

        var inputs: [EstimateResult.InputFile] = []
        for (path, format) in zip(paths, formats) {
            let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
            inputs.append(.init(path: path, bytes: size ?? 0, sha256: options.hashInputs ? sha256Hex(path) : nil, format: format))
        }
        if let ingest {
            let skipped = ingest.skipped.values.reduce(0, +)
            if skipped > 0 || ingest.requestsFailed > 0 {
                warnings.append("used \(ingest.rowsKept) prompts × \(ingest.columnsKept) tokens from \(counted(ingest.requestsRead, "request")); \(ingest.requestsFailed) failed and \(skipped) \(skipped == 1 ? "was" : "were") skipped (see input.skipped)")
            }
        }

        var status: EstimateResult.Status = switch detection.verdict {
        case .ok: .ok
        case .ambiguous: .ambiguous
        case .insufficient: .insufficient
        }
        var message: String = switch detection.verdict {
        case .ok: "hidden size \(detection.rank!): " + detection.explanation
        case .ambiguous: "ambiguous: " + detection.explanation
        case .insufficient: "insufficient data: " + detection.explanation
        }
        var hiddenDim = detection.rank
        if let reach, let ingest, let capped = topKOnly(reach, ingest: ingest, detection: detection) {
            (status, message) = (capped.status, capped.message)
            hiddenDim = nil
            warnings.removeAll(where: capped.dropWarning)
        }
        let t1 = clock.now
        // The parameter estimate is part of the contract, so the library's result is the command line's.
        return EstimateResult(
            status: status, hiddenDim: hiddenDim, lowerBound: detection.lowerBound,
            candidates: detection.candidates.map { .init(dim: $0.index, ratio: $0.ratio) },
            samples: n, columns: scan.keptColumns.count, columnsDropped: scan.droppedColumns,
            outputBias: outputBias, biasTest: biasTest,
            gap: detection.candidates.first.map { .init(index: $0.index, ratio: $0.ratio) },
            noiseFloor: detection.noiseFloor, confidence: detection.confidence.rawValue,
            dominantDirections: detection.dominantDirections, singularValues: sv,
            suggestedSamples: detection.suggestedSamples, message: message, warnings: warnings,
            seconds: .init(load: seconds(tLoaded - t0), spectrum: seconds(tSpectrum - tLoaded), total: seconds(t1 - t0),
                           gram: seconds(tGram - tLoaded), eigen: seconds(tEigen - tGram), bias: seconds(tSpectrum - tEigen)),
            inputs: inputs, input: ingest, commandLine: options.commandLine,
            rank: hiddenDim, readings: readings(rank: hiddenDim, outputBias: outputBias),
            noiseModel: .init(detection.noise), numericalFloor: detection.numericalFloor,
            shelf: detection.shelf.map { .init(first: $0.first, last: $0.last, drop: $0.drop, height: $0.height) },
            spectrum: spectrumReport)
            .gatheringWarnings().withParameterEstimate()
    }

    /// What a measured rank r means: RMSNorm models (and LayerNorm with an output bias) have d = r; a
    /// LayerNorm without a learned shift confines the hidden states to a (d − 1)-dimensional subspace, so
    /// d = r + 1; a constant offset found by the bias test is an output bias (d = r) or a LayerNorm shift
    /// seen through the unembedding (d = r + 1). The spectrum alone cannot tell these apart.
    static func readings(rank: Int?, outputBias: Bool?) -> [EstimateResult.Reading] {
        guard let r = rank else { return [] }
        if outputBias == true {
            return [.init(architecture: "output bias (RMSNorm or LayerNorm)", hiddenDim: r),
                    .init(architecture: "LayerNorm with a learned shift, no output bias", hiddenDim: r + 1)]
        }
        return [.init(architecture: "RMSNorm", hiddenDim: r),
                .init(architecture: "LayerNorm without a shift", hiddenDim: r + 1)]
    }

    /// Residual / no-offset expectation below which the outputs carry an offset, and above which they do not.
    /// Measured on synthetic RMSNorm models with massive activations: clean, the ratio is 1.0 without a bias
    /// and 5e-5 with one; with Gaussian noise of 0.003–0.03 per entry it falls to 0.23–0.82 without and
    /// rises to 0.05–0.17 with one, so between the cuts the test says it cannot tell.
    static let offsetCut = 0.03
    static let noOffsetCut = 0.3

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func hasNPYMagic(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let magic = (try? h.read(upToCount: 6)) ?? Data()
        return magic == Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59])
    }

    /// Lower-case hex SHA-256 of a file, or nil if it cannot be read.
    public static func sha256Hex(_ path: String) -> String? {
        var digest = [UInt8](repeating: 0, count: 32)
        guard rp_sha256_file(path, &digest) == 0 else { return nil }
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
