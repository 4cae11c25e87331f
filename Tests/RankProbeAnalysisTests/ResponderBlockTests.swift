import Foundation
import Testing
import RankProbeSynth

/// The responder computes prompts' rows in BLAS blocks; these tests hold it to the values of the
/// one-row-at-a-time path (`SyntheticModel.logprobs(sample:)`) that it replaced.
@Suite struct ResponderBlockTests {
    /// With a bias, so the `+ b` step of the block path is exercised too.
    let model = SyntheticModel(hidden: 12, vocab: 150, seed: 11, bias: true)

    func request(_ id: String, prompt: String, bias: [Int: Int], top: Int) -> String {
        let b = bias.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
        return #"{"custom_id":"\#(id)","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"\#(prompt)"}],"max_tokens":1,"logprobs":true,"top_logprobs":\#(top),"logit_bias":{\#(b)}}}"#
    }

    func run(_ lines: [String], options: SyntheticResponder.Options) throws -> [[String: Any]] {
        let dir = NSTemporaryDirectory() + "rankprobe-responder-block-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        _ = try SyntheticResponder(model: model, options: options).respond(inputPath: dir + "/in.jsonl", outputPath: dir + "/out.jsonl")
        let text = try String(contentsOfFile: dir + "/out.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    func content(_ line: [String: Any]) throws -> [String: Any] {
        let body = try #require((line["response"] as? [String: Any])?["body"] as? [String: Any])
        let choices = try #require(body["choices"] as? [[String: Any]])
        return try #require(((choices[0]["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])?.first)
    }

    func token(_ entry: [String: Any]) -> Int { Int((entry["token"] as! String).dropFirst(3))! }

    /// 37 prompts in blocks of 5 (so the last block is partial), interleaved rather than prompt-major, each
    /// with its own forced tokens: every returned value must be the per-row value and every top list the
    /// per-row top list.
    @Test(arguments: [5, 64])
    func blocksGiveThePerRowValues(blockSize: Int) throws {
        let prompts = 37
        let lines = (0..<(prompts * 4)).map { i in
            request("r\(i)", prompt: "prompt number \(i % prompts)", bias: [(i * 13 + 5) % 150: 100], top: 20)
        }
        let out = try run(lines, options: .init(shuffle: false, blockSize: blockSize))
        #expect(out.count == lines.count)
        var worst = 0.0
        for (i, line) in out.enumerated() {
            let sample = SyntheticResponder.sampleIndex(promptKey: "user\u{0}prompt number \(i % prompts)\u{0}")
            let row = model.logprobs(sample: sample)
            let c = try content(line)
            let forced = (i * 13 + 5) % 150
            #expect(token(c) == forced)
            worst = max(worst, abs((c["logprob"] as! Double) - row[forced]))
            let top = try #require(c["top_logprobs"] as? [[String: Any]])
            let truth = row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }.prefix(20)
            #expect(top.map(token) == Array(truth))
            for entry in top { worst = max(worst, abs((entry["logprob"] as! Double) - row[token(entry)])) }
        }
        // Same operations per column, but OpenBLAS multiplies a single column with a matrix–vector kernel
        // whose sums are ordered differently from dgemm's: the two paths differ by an ulp or two of the
        // logits (4.4e-15 measured here), never more. Between block sizes ≥ 2 answers agree to rounding (`outputIndependentOfBlockSize`).
        #expect(worst <= 8 * Double.ulpOfOne * 16, "largest difference from the per-row path: \(worst)")
    }

    /// The biased server's shift log Z'/Z reads the biased tokens' values from the same tables.
    @Test func biasedAnswersMatchThePerRowFormula() throws {
        let ids = [3, 40, 77, 120, 149]
        let lines = (0..<9).map { request("b\($0)", prompt: "q\($0)", bias: Dictionary(uniqueKeysWithValues: ids.map { ($0, 100) }), top: 5) }
        let out = try run(lines, options: .init(semantics: .biasedLogprobs, shuffle: false, blockSize: 4))
        for (i, line) in out.enumerated() {
            let row = model.logprobs(sample: SyntheticResponder.sampleIndex(promptKey: "user\u{0}q\(i)\u{0}"))
            // log p'(t) = row[t] + 100 − log(1 − Σ p_S + Σ p_S e^100)
            let massS = ids.reduce(0.0) { $0 + exp(row[$1]) }
            let shift = log(1 - massS + massS * exp(100.0))
            let top = try #require(try content(line)["top_logprobs"] as? [[String: Any]])
            #expect(Set(top.map(token)) == Set(ids))
            for entry in top {
                let expected = row[token(entry)] + 100 - shift
                #expect(abs((entry["logprob"] as! Double) - expected) < 1e-9)
            }
        }
    }

    /// Answers do not depend on the block size, including the seeded failures, noise and shuffle: the same
    /// lines in the same order, the same ids, statuses, tokens and top lists exactly, and every
    /// log-probability within the rounding bound below. Not bitwise: block size 3 and the default block
    /// multiply matrices of different shapes, and OpenBLAS picks a different kernel (and summation order)
    /// per shape and per CPU / `OPENBLAS_CORETYPE` — with `OPENBLAS_CORETYPE=Haswell` the two differ in
    /// the last bits.
    ///
    /// The bound: a logit is z_t = f_t·(P h) + b_t, a dot product of K = d terms plus the bias. Summed in
    /// any order in float64 it carries an absolute error ≤ γ_K·Σ|f_ti·(Ph)_i|, γ_K = K·u/(1 − K·u) with
    /// u = 2⁻⁵³, and Σ|f_ti·(Ph)_i| ≤ ‖f_t‖·‖P h‖ = ‖w_t‖·‖h‖ (Cauchy–Schwarz; P is orthogonal, w_t = Pᵀf_t).
    /// Adding b_t rounds once more: + u·(|z_t| + |b_t|). A log-probability is z_t − logsumexp(z): logsumexp
    /// is 1-Lipschitz in the largest logit error, and its own V-term sum and log add ≲ γ_V·(1 + |L|). So
    /// |Δ logprob_t| ≤ 2·(γ_K·max_t ‖w_t‖‖h‖ + u·max_t(|z_t| + |b_t|)) + γ_V·(1 + |L|), and the noise
    /// (identical draws in both runs) adds one rounding of the result, u·|logprob|. Doubled for safety;
    /// the measured differences are about a tenth of it.
    @Test func outputIndependentOfBlockSize() throws {
        let lines = (0..<120).map { request("n\($0)", prompt: "p\($0 % 23)", bias: [$0 % 150: 100], top: 3) }
        let small = try run(lines, options: .init(noise: 0.01, failureRate: 0.1, seed: 5, blockSize: 3))
        let large = try run(lines, options: .init(noise: 0.01, failureRate: 0.1, seed: 5))
        #expect(small.count == lines.count && large.count == lines.count)

        let u = Double.ulpOfOne / 2
        func gamma(_ n: Int) -> Double { Double(n) * u / (1 - Double(n) * u) }
        let w = model.unembedding
        let wNorms = (0..<model.vocab).map { t in (0..<model.hidden).reduce(0.0) { $0 + w.storage[$1 * model.vocab + t] * w.storage[$1 * model.vocab + t] }.squareRoot() }
        func tolerance(prompt: Int, value: Double) -> Double {
            let sample = SyntheticResponder.sampleIndex(promptKey: "user\u{0}p\(prompt)\u{0}")
            let hNorm = model.hiddenState(sample: sample).reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            let logits = model.logits(samples: sample..<(sample + 1))
            let bias = model.outputBias ?? [Double](repeating: 0, count: model.vocab)
            let zb = zip(logits, bias).map { abs($0) + abs($1) }.max()!
            let L = abs(model.logNormalizer(sample: sample))
            let bound = 2 * (gamma(model.hidden) * wNorms.max()! * hNorm + u * zb) + gamma(model.vocab) * (1 + L) + u * abs(value)
            return 2 * bound
        }

        var failures = 0, worst = 0.0, worstRatio = 0.0
        /// Everything but "logprob" must be equal; "logprob" values within the bound.
        func compare(_ a: Any, _ b: Any, prompt: Int, path: String) {
            switch (a, b) {
            case let (x as [String: Any], y as [String: Any]):
                #expect(Set(x.keys) == Set(y.keys), "\(path): keys differ")
                for (k, v) in x { if let v2 = y[k] { compare(v, v2, prompt: prompt, path: path + "." + k) } }
            case let (x as [Any], y as [Any]):
                #expect(x.count == y.count, "\(path): lengths differ")
                for (i, (v, v2)) in zip(x, y).enumerated() { compare(v, v2, prompt: prompt, path: path + "[\(i)]") }
            case let (x as Double, y as Double) where path.hasSuffix(".logprob"):
                let tol = tolerance(prompt: prompt, value: x)
                worst = max(worst, abs(x - y)); worstRatio = max(worstRatio, abs(x - y) / tol)
                if abs(x - y) > tol { failures += 1; Issue.record("\(path): \(x) vs \(y), difference \(abs(x - y)) > bound \(tol)") }
            default:
                let da = try? JSONSerialization.data(withJSONObject: [a], options: .sortedKeys)
                let db = try? JSONSerialization.data(withJSONObject: [b], options: .sortedKeys)
                #expect(da == db, "\(path): \(a) vs \(b)")
            }
        }
        for (i, (a, b)) in zip(small, large).enumerated() {
            let id = try #require(a["custom_id"] as? String)  // "n<k>" asks prompt "p<k % 23>"; lines are shuffled
            compare(a, b, prompt: try #require(Int(id.dropFirst())) % 23, path: "line \(i) (\(id))")
        }
        #expect(failures == 0, "largest difference \(worst), \(worstRatio) of its bound")
        let statuses = small.map { ($0["response"] as? [String: Any])?["status_code"] as? Int }
        #expect(statuses.contains(500) && statuses.contains(200))
    }
}
