import Foundation

extension QueryPlan {
    /// `n` with thousands separators (4507 → "4,507"), as the plan text prints counts.
    public static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    static func money(_ x: Double) -> String { String(format: "%.2f", x) }

    /// Plain-text plan: the totals, why, and how they grow with d.
    public var text: String {
        let p = parameters
        var lines: [String] = []
        let per = p.protocol == .tracked ? "\(p.server?.rawValue ?? "vllm"), \(p.idsPerRequest) ids per request" : "top-\(p.topLogprobs)"
        lines.append("plan: \(p.protocol.rawValue) protocol, hidden size guess \(p.hiddenGuess), vocabulary \(Self.grouped(p.vocab)), \(per), \(p.repeats) repeat(s)")
        lines.append("prompts:  \(Self.grouped(prompts))  (d + 1 + margin \(margin); margin = max(64, ⌈d/10⌉))")
        lines.append("columns:  \(Self.grouped(columns))  token ids, the same for every prompt")
        lines.append("requests: \(Self.grouped(requests))  (\(Self.grouped(requestsPerPrompt)) per prompt × \(Self.grouped(prompts)) prompts × \(p.repeats))")
        lines.append("tokens:   \(Self.grouped(inputTokens)) input (\(p.promptTokens) per request), \(Self.grouped(outputTokens)) output")
        lines.append("cost:     \(Self.money(cost))  (\(p.pricePerRequest) per request, \(p.priceInputPerMTok) per 1M input, \(p.priceOutputPerMTok) per 1M output tokens)")
        lines.append("batch files: \(batchFiles) at 50,000 requests per file")
        lines.append("")
        lines.append("scaling: \(scalingLaw)")
        lines.append("     d    prompts    columns        requests          cost")
        for c in scaling {
            let mark = c.hidden == p.hiddenGuess ? " ←" : ""
            lines.append(Self.pad(String(c.hidden), 6) + Self.pad(Self.grouped(c.prompts), 11) + Self.pad(Self.grouped(c.columns), 11)
                         + Self.pad(Self.grouped(c.requests), 16) + Self.pad(Self.money(c.cost), 14) + mark)
        }
        lines.append("")
        for n in notes { lines.append("note: \(n)") }
        return lines.joined(separator: "\n")
    }
}
