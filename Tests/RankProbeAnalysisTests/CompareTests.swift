import Testing
import RankProbeAnalysis
import RankProbeMatrix

@Suite struct CompareTests {
    let model = ToyModel(vocab: 300, hidden: 24, seed: 11)

    @Test(arguments: [0.0, 1e-3, 2e-2])
    func twoSamplesOfOneModelAreSame(noise: Double) throws {
        let a = model.samples(rows: 160, seed: 1, noise: noise)
        let b = model.samples(rows: 40, seed: 2, noise: noise)
        let r = try SubspaceComparison.compare(a: a, b: b, options: .init(hiddenDim: 24))
        #expect(r.verdict == .same, "\(r.reasons)")
        #expect(r.excess! < 1.5)
        // B's strong directions lie in A's image.
        #expect((r.maxAngleStrongDegrees ?? 0) < 10)
    }

    @Test func detectsHiddenSizeWhenNotGiven() throws {
        let a = model.samples(rows: 160, seed: 1)
        let b = model.samples(rows: 5, seed: 3)
        let r = try SubspaceComparison.compare(a: a, b: b)
        #expect(r.hiddenDim == 24)
        #expect(r.hiddenDimSource == "detected")
        #expect(r.verdict == .same)
    }

    @Test(arguments: [0.0, 1e-3])
    func lowRankUpdateIsDifferent(noise: Double) throws {
        let changed = model.lowRankUpdate(rank: 1, relative: 0.05, seed: 5)
        let a = model.samples(rows: 160, seed: 1, noise: noise)
        let b = changed.samples(rows: 40, seed: 2, noise: noise)
        let r = try SubspaceComparison.compare(a: a, b: b, options: .init(hiddenDim: 24))
        #expect(r.verdict == .different, "\(r.reasons)")
        #expect(r.excess! > 3)
    }

    @Test func fineTunedRowsAreDifferent() throws {
        let changed = model.redrawRows(Array(stride(from: 0, to: 300, by: 30)), seed: 9)  // 10 of 300 rows
        let a = model.samples(rows: 160, seed: 1, noise: 1e-3)
        let b = changed.samples(rows: 40, seed: 2, noise: 1e-3)
        let r = try SubspaceComparison.compare(a: a, b: b, options: .init(hiddenDim: 24))
        #expect(r.verdict == .different, "\(r.reasons)")
    }

    @Test func differentHiddenSizesAreDifferent() throws {
        let bigger = ToyModel(vocab: 300, hidden: 32, seed: 12)
        let a = model.samples(rows: 160, seed: 1, noise: 1e-3)
        let b = bigger.samples(rows: 60, seed: 2, noise: 1e-3)
        let r = try SubspaceComparison.compare(a: a, b: b)
        #expect(r.hiddenDim == 24)
        #expect(r.hiddenDimB == 32)
        #expect(r.verdict == .different, "\(r.reasons)")
        // and the other way round: the smaller model's rows do not fit the bigger one's image either
        let r2 = try SubspaceComparison.compare(a: bigger.samples(rows: 200, seed: 1, noise: 1e-3), b: model.samples(rows: 60, seed: 2, noise: 1e-3))
        #expect(r2.hiddenDim == 32)
        #expect(r2.verdict == .different, "\(r2.reasons)")
    }

    @Test func tooFewSharedColumnsIsInconclusive() throws {
        let a = model.samples(rows: 160, seed: 1, columns: Array(0..<150))
        let b = model.samples(rows: 40, seed: 2, columns: Array(120..<300))   // 30 shared
        let r = try SubspaceComparison.compare(a: a, b: b, options: .init(hiddenDim: 24))
        #expect(r.sharedColumns == 30)
        #expect(r.verdict == .inconclusive)
        #expect(r.requiredColumns == 24 + 1 + 16)
        #expect(r.reasons.contains { $0.contains("too few shared columns: 30 < 41") }, "\(r.reasons)")
    }

    @Test func tooFewRowsInAIsInconclusive() throws {
        let a = model.samples(rows: 30, seed: 1)
        let b = model.samples(rows: 10, seed: 2)
        let r = try SubspaceComparison.compare(a: a, b: b, options: .init(hiddenDim: 24))
        #expect(r.verdict == .inconclusive)
        #expect(r.reasons.contains { $0.contains("too few rows in A") }, "\(r.reasons)")
    }

    @Test func columnsAreAlignedByLabel() throws {
        // B's columns are A's in reverse order plus extra columns A lacks: alignment must match labels.
        let a = model.samples(rows: 160, seed: 1, columns: Array(0..<250))
        let b = model.samples(rows: 20, seed: 2, columns: Array((0..<300).reversed()))
        let r = try SubspaceComparison.compare(a: a, b: b, options: .init(hiddenDim: 24))
        #expect(r.sharedColumns == 250)
        #expect(r.verdict == .same, "\(r.reasons)")
    }
}

extension CompareTests {
    /// A recording of the same model at a much higher noise level (another precision, serving noise) is
    /// still "same" when B has enough rows to measure its own noise; its spectrum shows the same cliff.
    @Test func noisierRecordingOfSameModelIsSame() throws {
        let a = model.samples(rows: 160, seed: 1, noise: 1e-6)
        let b = model.samples(rows: 60, seed: 2, noise: 1e-2)
        let r = try SubspaceComparison.compare(a: a, b: b, options: .init(hiddenDim: 24))
        #expect(r.hiddenDimB == 24)
        #expect(r.verdict == .same, "\(r.reasons)")
        // …while a changed model recorded that noisily is still caught.
        let changed = model.lowRankUpdate(rank: 1, relative: 0.05, seed: 5).samples(rows: 60, seed: 2, noise: 1e-2)
        let r2 = try SubspaceComparison.compare(a: a, b: changed, options: .init(hiddenDim: 24))
        #expect(r2.verdict == .different, "\(r2.reasons)")
        // With too few rows B's noise cannot be measured and the verdict says so.
        let few = model.samples(rows: 10, seed: 2, noise: 1e-2)
        let r3 = try SubspaceComparison.compare(a: a, b: few, options: .init(hiddenDim: 24))
        #expect(r3.verdict == .different)
        #expect(r3.reasons.contains { $0.contains("assumed comparable to A's") })
    }
}
