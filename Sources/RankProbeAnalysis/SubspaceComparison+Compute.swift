import Foundation
import RankProbeDetect
import RankProbeLinearAlgebra
import RankProbeMatrix

extension SubspaceComparison {
    /// Columns (and A-rows beyond the fitted folds) the test needs past `d`.
    ///
    /// With `n` shared columns the residual lives in `n − d − 1` dimensions (one is lost to row centring).
    /// Fewer than ~16 leave a residual with so few degrees of freedom that a chance fluctuation of the noise
    /// and a real difference look alike; for large `d` a 10 % margin also covers an underestimated `d`.
    public static func margin(forHidden d: Int) -> Int { max(16, (d + 9) / 10) }

    /// Most cross-validation fits of A's image (each one SVD of A's kept rows).
    static let maxFolds = 32

    /// Compares recording `b` against recording `a`'s image. Neither input is modified.
    public static func compare(a: DenseSamples, b: DenseSamples, options: Options = Options()) throws -> SubspaceComparison {
        let shared = CentredSamples.sharedColumns(a, b)
        var result = SubspaceComparison(
            verdict: .inconclusive, message: "", reasons: [], hiddenDim: options.hiddenDim,
            hiddenDimSource: options.hiddenDim == nil ? "detected" : "given",
            rowsA: a.rows, rowsB: b.rows, columnsA: a.columns, columnsB: b.columns,
            sharedColumns: shared.a.count, sameThreshold: options.sameThreshold,
            differentThreshold: options.differentThreshold, principalAnglesDegrees: [],
            droppedRowsA: 0, droppedRowsB: 0)
        if a.columnLabels == nil || b.columnLabels == nil {
            if a.columns != b.columns {
                return result.inconclusive(
                    "columns cannot be aligned: one input has no token labels and the widths differ (\(a.columns) vs \(b.columns))")
            }
            result.reasons.append("columns matched by position (an input carries no token labels)")
        }

        if let la = a.columnLabels, let lb = b.columnLabels, shared.a.count < la.count / 2 || shared.a.count < lb.count / 2 {
            // The log reader labels a column by token id when the logs tie the token to an id (forced requests,
            // vLLM) and by its quoted text otherwise (biased-protocol responses carry text only).
            func kind(_ labels: [String]) -> String {
                let ids = labels.filter { !$0.isEmpty && $0.allSatisfy(\.isNumber) }.count
                return ids * 2 > labels.count ? "id" : "text"
            }
            if kind(la) != kind(lb) {
                result.reasons.append("A labels its columns by token \(kind(la)) and B by token \(kind(lb)); such columns cannot be matched (record both with forced-token requests, or as .npy dumps)")
            }
        }
        // Non-finite values: `NonFinitePolicy` on each side's shared columns; a column dropped on either side
        // is dropped on both, so the two stay aligned.
        let keptA = NonFinitePolicy.select(a, columns: shared.a), keptB = NonFinitePolicy.select(b, columns: shared.b)
        let finiteA = Set(keptA.columns), finiteB = Set(keptB.columns)
        let both = shared.a.indices.filter { finiteA.contains(shared.a[$0]) && finiteB.contains(shared.b[$0]) }
        let ac = CentredSamples.rowCentred(a, rows: keptA.rows, columns: both.map { shared.a[$0] })
        let bc = CentredSamples.rowCentred(b, rows: keptB.rows, columns: both.map { shared.b[$0] })
        result.droppedRowsA = a.rows - keptA.rows.count
        result.droppedRowsB = b.rows - keptB.rows.count
        if result.droppedRowsA > 0 { result.reasons.append("\(result.droppedRowsA) row(s) of A dropped: mostly non-finite on shared columns") }
        if result.droppedRowsB > 0 { result.reasons.append("\(result.droppedRowsB) row(s) of B dropped: mostly non-finite on shared columns") }
        if both.count < shared.a.count {
            result.reasons.append("\(shared.a.count - both.count) shared column(s) dropped: non-finite values")
        }
        let n = ac.columns
        guard ac.rows >= 3 else { return result.inconclusive("A has \(ac.rows) usable rows; at least 3 are needed") }
        guard bc.rows >= 1 else { return result.inconclusive("B has no usable rows") }
        guard n >= 3 else { return result.inconclusive("only \(n) shared columns") }

        // B is centred with A's mean row: the difference of the mean hidden states maps through W and stays in
        // the image, while a changed output bias (a different model) shows up as residual. It also lets B
        // have a single row.
        let meanA = CentredSamples.columnMeans(ac)
        CentredSamples.subtract(meanA, from: ac)
        CentredSamples.subtract(meanA, from: bc)

        let fullSpectrum: [Double]
        do { fullSpectrum = try LinearAlgebra.singularValues(ac) } catch {
            throw AnalysisError("SVD of A failed: \(error)")
        }
        let d: Int
        if let given = options.hiddenDim {
            d = given
        } else {
            // The estimator's detector, on the spectrum of A restricted to the shared columns (centring leaves
            // at most N − 1 values), so `compare` and `estimate` agree on what "the cliff" is.
            let usable = Array(fullSpectrum.prefix(max(0, min(ac.rows - 1, n - 1))))
            let detection = Detector().detect(singularValues: usable, samples: ac.rows, columns: n)
            guard detection.verdict == .ok, let rank = detection.rank else {
                return result.inconclusive("A's hidden size could not be determined on the shared columns (\(detection.verdict.rawValue)): \(detection.explanation); pass --hidden")
            }
            d = rank
        }
        result.hiddenDim = d
        guard d >= 1 else { return result.inconclusive("hidden size must be at least 1") }
        let margin = margin(forHidden: d)
        let needColumns = d + 1 + margin
        // Each fit of A's image needs more than d + margin rows; with few spare rows the held-out folds
        // shrink (more folds) instead of the test refusing: 700 rows for d = 576 give 11 folds of ~64 rows.
        // Up to `maxFolds` SVDs; past that the spare rows are too few to hold any out.
        let needFit = d + 1 + margin
        let spare = ac.rows - needFit
        let folds = spare >= 1 ? min(max(2, options.folds, (ac.rows + spare - 1) / spare), Self.maxFolds) : max(2, options.folds)
        let needRowsA = needFit + max(1, (needFit + Self.maxFolds - 2) / (Self.maxFolds - 1))
        result.requiredColumns = needColumns
        result.requiredRowsA = needRowsA
        if d < fullSpectrum.count {
            let next = fullSpectrum[d]
            result.cliffRatioA = next > 0 ? fullSpectrum[d - 1] / next : .infinity
        }
        var gates: [String] = []
        if n < needColumns {
            gates.append("too few shared columns: \(n) < \(needColumns) (d = \(d) plus a margin of \(margin) + 1); B's rows would fit any \(d)-dimensional subspace of so few columns")
        }
        if ac.rows < needRowsA {
            gates.append("too few rows in A: \(ac.rows) < \(needRowsA) (each of up to \(Self.maxFolds) cross-validation fits needs more than d + \(margin) rows, and each held-out fold at least one)")
        }
        if !gates.isEmpty {
            for g in gates { result.reasons.append(g) }
            return result.inconclusive(gates[0], alreadyRecorded: true)
        }
        if let ratio = result.cliffRatioA, ratio < options.minimumCliffRatio {
            return result.inconclusive(
                "A's spectrum has no clear cliff at d = \(d) (σ_d/σ_(d+1) = \(format(ratio))); A's image is not determined")
        }

        let vA = try CentredSamples.topRightSingular(ac, d: d).v

        // Noise floor: each fold of A's rows measured against the image fitted without it.
        var heldOutResidual = 0.0, heldOutEnergy = 0.0
        let order = (0..<ac.rows).map { $0 }
        for f in 0..<folds {
            let test = order.filter { $0 % folds == f }
            let fit = order.filter { $0 % folds != f }
            let fitMatrix = CentredSamples.rows(fit, of: ac)
            let testMatrix = CentredSamples.rows(test, of: ac)
            let v = try CentredSamples.topRightSingular(fitMatrix, d: d).v
            heldOutResidual += CentredSamples.residualEnergy(testMatrix, outside: v)
            heldOutEnergy += CentredSamples.energy(testMatrix)
        }
        let residualB = CentredSamples.residualEnergy(bc, outside: vA)
        let energyB = CentredSamples.energy(bc)
        let dof = Double(n - 1 - d)
        // A's rows lost one degree of freedom to the column centring they took part in; B's did not.
        let rmsA = (heldOutResidual / (Double(ac.rows - 1) * dof)).squareRoot()
        let rmsB = (residualB / (Double(bc.rows) * dof)).squareRoot()
        let rmsData = (CentredSamples.energy(ac) / Double(ac.rows * n)).squareRoot()
        // float64 logsumexp and the SVD leave ~1e-14 of the signal scale; 1e-9 keeps exact data from
        // comparing rounding noise with rounding noise.
        let floor = 1e-9 * rmsData
        result.relativeResidualB = energyB > 0 ? (residualB / energyB).squareRoot() : 0
        result.relativeResidualHeldOutA = heldOutEnergy > 0 ? (heldOutResidual / heldOutEnergy).squareRoot() : 0
        result.residualRMSB = rmsB
        result.residualRMSHeldOutA = rmsA
        result.residualRMSFloor = floor
        // B's own noise level, when B's own spectrum shows the same cliff: the tail beyond d of B's singular
        // values, per entry (a rank-d fit of an m × n' noise matrix leaves about (m − d)(n' − d) of its
        // degrees of freedom). Without this a recording that is merely noisier than A (another precision,
        // serving noise) would read as "different". If B's cliff sits elsewhere, B's hidden size differs and
        // its tail holds signal, so it is not used as a floor.
        let k = min(d, bc.rows)
        let svdB = try CentredSamples.topRightSingular(bc, d: k)
        var floorB = 0.0
        if bc.rows >= d + 4 {
            // B's own spectrum is read with B centred by its own mean row (centred with A's, B's offset from
            // A's mean would add a direction whenever the models differ).
            let own = bc.copy()
            CentredSamples.subtract(CentredSamples.columnMeans(own), from: own)
            let usableB = Array(try LinearAlgebra.singularValues(own).prefix(min(bc.rows - 1, n - 1)))
            let detectionB = Detector().detect(singularValues: usableB, samples: bc.rows, columns: n)
            result.hiddenDimB = detectionB.verdict == .ok ? detectionB.rank : nil
            if detectionB.verdict == .ok, let rankB = detectionB.rank {
                if rankB == d {
                    let tail = usableB.dropFirst(d).reduce(0) { $0 + $1 * $1 }
                    floorB = (tail / (Double(bc.rows - 1 - d) * dof)).squareRoot()
                    result.residualRMSNoiseB = floorB
                } else {
                    result.reasons.append("B's own spectrum has its cliff at \(rankB), not at A's \(d)")
                }
            } else {
                result.reasons.append("B's own spectrum shows no clear cliff (\(detectionB.verdict.rawValue)); B's noise level is assumed comparable to A's")
            }
        } else {
            result.reasons.append("B has too few rows (\(bc.rows) < d + 4) to measure its own noise level; it is assumed comparable to A's")
        }
        let excess = rmsB / max(rmsA, floorB, floor)
        result.excess = excess

        // Principal angles: B's own top directions against A's image.
        let overlap = LinearAlgebra.product(vA, transposeA: true, svdB.v)           // d × k
        let cosines = try LinearAlgebra.singularValues(overlap)
        result.principalAnglesDegrees = cosines.map { acos(min(1, max(-1, $0))) * 180 / .pi }.sorted()
        // Noise edge of an m × n Gaussian matrix with entry RMS σ: σ(√m + √n).
        let sigma = max(rmsA, floor)
        let edge = sigma * (Double(bc.rows).squareRoot() + Double(n).squareRoot())
        let strong = svdB.singularValues.prefix(k).filter { $0 > 2 * edge }.count
        result.strongDirectionsB = strong
        if strong > 0 {
            let vStrong = Matrix(rows: n, columns: strong)
            for c in 0..<strong { for j in 0..<n { vStrong[j, c] = svdB.v[j, c] } }
            let cs = try LinearAlgebra.singularValues(LinearAlgebra.product(vA, transposeA: true, vStrong))
            result.maxAngleStrongDegrees = cs.map { acos(min(1, max(-1, $0))) * 180 / .pi }.max()
        }

        let summary = "B's residual outside A's \(d)-dimensional image is \(format(excess))× the residual of A's own held-out rows"
        if excess <= options.sameThreshold {
            result.verdict = .same
            result.message = "same: \(summary) (≤ \(format(options.sameThreshold)))"
        } else if excess >= options.differentThreshold {
            result.verdict = .different
            result.message = "different: \(summary) (≥ \(format(options.differentThreshold)))"
            if result.residualRMSNoiseB == nil {
                result.reasons.append("assumes B was recorded with noise comparable to A's; a much noisier recording of the same model also leaves residual")
            }
        } else {
            result.verdict = .inconclusive
            result.message = "inconclusive: \(summary), between \(format(options.sameThreshold)) and \(format(options.differentThreshold))"
            result.reasons.append("B is slightly off A's image: a small change of the output layer, or B is noisier than A")
        }
        result.reasons.insert(result.message, at: 0)
        return result
    }

    private func inconclusive(_ reason: String, alreadyRecorded: Bool = false) -> SubspaceComparison {
        var r = self
        r.verdict = .inconclusive
        r.message = "inconclusive: \(reason)"
        if !alreadyRecorded { r.reasons.append(reason) }
        return r
    }

    static func format(_ x: Double) -> String {
        if x.isInfinite { return "∞" }
        if x == 0 { return "0" }
        let a = abs(x)
        if a >= 1e4 || a < 1e-3 {
            var e = 0
            var m = a
            while m >= 10 { m /= 10; e += 1 }
            while m < 1 { m *= 10; e -= 1 }
            var mantissa = (m * 100).rounded() / 100
            if mantissa >= 10 { mantissa /= 10; e += 1 }
            return "\(x < 0 ? "-" : "")\(mantissa)e\(e)"
        }
        return String((x * 1000).rounded() / 1000)
    }
}
