import Foundation
import RankProbe
import RankProbeReport
import Testing

@Suite struct ParameterEstimateTests {
    @Test func tableHasEnoughSourcedRows() throws {
        let table = try ArchitectureTable.bundled()
        #expect(table.count >= 40)
        #expect(table.allSatisfy { !$0.source.isEmpty })
        let families = Set(table.map(\.family))
        for f in ["GPT-2", "GPT-3", "Pythia", "Llama 2", "Llama 3", "Mistral", "Qwen2.5", "Gemma 2", "Falcon"] {
            #expect(families.contains(f), "missing family \(f)")
        }
        #expect(table.contains { $0.moe && $0.model.hasPrefix("Mixtral-8x7B") })
    }

    /// The check: every dense row of the table lies inside the range estimated from its own width.
    @Test func rangeContainsEveryDenseRow() throws {
        let table = try ArchitectureTable.bundled()
        let model = try ParameterModel.fit(table)
        for row in table where !row.moe {
            let (lo, hi) = model.range(hiddenSize: row.hiddenSize)
            #expect(lo <= row.parameters && row.parameters <= hi,
                    "\(row.model): \(row.parameters) outside [\(lo), \(hi)]")
        }
    }

    /// Out of sample: fit without a whole family, then check that family's rows. Not all must be covered
    /// (a family may be an outlier, like Gemma 2 27B's 8×d MLP) but most must, or the range is overfitted.
    @Test func leaveOneFamilyOutCoverage() throws {
        let table = try ArchitectureTable.bundled()
        var covered = 0, total = 0
        for family in Set(table.map(\.family)) {
            let model = try ParameterModel.fit(table.filter { $0.family != family })
            for row in table where row.family == family && !row.moe {
                let (lo, hi) = model.range(hiddenSize: row.hiddenSize)
                total += 1
                if lo <= row.parameters && row.parameters <= hi { covered += 1 }
            }
        }
        #expect(total >= 35)
        #expect(Double(covered) / Double(total) >= 0.9, "covered \(covered) of \(total)")
    }

    /// Hand-computed: two rows on an exact power law L_eff = 10·(d/1000)^0.5 give a = 10/√1000, b = 0.5, and
    /// zero spread, so the factors are exactly 1 ∓ 5 %.
    @Test func fitRecoversExactPowerLaw() throws {
        func row(_ d: Int, _ leff: Double, _ v: Int) -> Architecture {
            let dd = Double(d)
            return Architecture(family: "T", model: "t\(d)", parameters: 12 * leff * dd * dd + Double(v) * dd,
                                hiddenSize: d, layers: Int(leff), vocabulary: v, moe: false, source: "hand")
        }
        let m = try ParameterModel.fit([row(1000, 10, 50_000), row(4000, 20, 100_000)])
        #expect(abs(m.effB - 0.5) < 1e-12)
        #expect(abs(m.effA - 10 / sqrt(1000)) < 1e-12)
        #expect(abs(m.lowFactor - 0.95) < 1e-12 && abs(m.highFactor - 1.05) < 1e-12)
        let (lo, hi) = m.range(hiddenSize: 2000)
        // L_eff(2000) = 10·√2; low = 12·0.95·L·d² + 32000·d.
        let l = 10 * sqrt(2.0)
        #expect(abs(lo - (12 * 0.95 * l * 4e6 + 32_000 * 2000)) < 1)
        #expect(abs(hi - (12 * 1.05 * l * 4e6 + 256_000 * 2000)) < 1)
    }

    @Test func estimateForMistralWidth() throws {
        let p = try ParameterEstimator.estimate(hiddenSize: 4096)
        let names = p.nearest.map(\.model)
        #expect(names.contains("Llama-2-7b") && names.contains("Mistral-7B-v0.1"))
        #expect(p.nearest.contains { $0.moe && $0.model.hasPrefix("Mixtral-8x7B") })
        #expect(p.nearest.prefix { $0.hiddenSize == 4096 }.count == p.nearest.filter { $0.hiddenSize == 4096 }.count,
                "exact-width models come first")
        #expect(p.low <= 6.74e9 && 8.03e9 <= p.high)
        #expect(p.caveats.contains { $0.contains("Mixtral-8x7B") && $0.contains("mixture of experts") })
        #expect(p.memoryBytes["fp16"] == [p.low * 2, p.high * 2])
        #expect(p.memoryBytes["int8"] == [p.low, p.high])
        #expect(p.memoryBytes["int4"] == [p.low / 2, p.high / 2])
        #expect(p.method.contains("12·L_eff·d²") && p.method.contains("32000") && p.method.contains("256000"))
        // 4096-wide dense models top out near 21 B parameters → 43 GB at fp16: one 80 GB GPU suffices.
        #expect(ParameterEstimator.gpuSentence(p).contains("at fp16: yes"))
    }

    @Test func gpuSentenceAtExtremes() throws {
        let small = try ParameterEstimator.estimate(hiddenSize: 768)
        #expect(ParameterEstimator.gpuSentence(small).contains("at fp16: yes"))
        let huge = try ParameterEstimator.estimate(hiddenSize: 16384)
        #expect(huge.low * 2 > 80e9)
        #expect(ParameterEstimator.gpuSentence(huge).contains("at fp16: no"))
        let outside = try ParameterEstimator.estimate(hiddenSize: 40000)
        #expect(outside.caveats.contains { $0.contains("extrapolation") })
    }

    @Test func malformedTableNamesFileAndLine() {
        let bad = "family,model,parameters,hidden_size,layers,vocabulary,kind,source\nA,b,12,768,x,50257,dense,src\n"
        #expect {
            _ = try ArchitectureTable.parse(csv: bad, file: "t.csv")
        } throws: { ($0 as? ReportError)?.description.hasPrefix("t.csv:2: layers") == true }
        let unterminated = "family,model,parameters,hidden_size,layers,vocabulary,kind,source\nA,\"b,12\n"
        #expect(throws: ReportError.self) { try ArchitectureTable.parse(csv: unterminated, file: "t.csv") }
        let quoted = try? ArchitectureTable.parse(
            csv: "family,model,parameters,hidden_size,layers,vocabulary,kind,source\nF,\"m, \"\"q\"\"\",1e9,1024,24,50000,moe,\"a, b\"\n",
            file: "t.csv")
        #expect(quoted?.first?.model == "m, \"q\"" && quoted?.first?.moe == true && quoted?.first?.source == "a, b")
    }
}
