import RankProbeMatrix
import RankProbeLogRecords

/// The assembled sample matrix, its summary, and the reconstruction rule behind each kept row.
public struct Assembly: Sendable {
    public var samples: DenseSamples
    public var summary: IngestSummary
    /// One entry per row of `samples`: "forced", "biased-anchor", "biased-exact", "direct", or several
    /// joined by "+" when a prompt's requests used more than one.
    public var rowRules: [String]
}

extension Assembler {
    /// Resolves everything that needed all records, combines repeats, selects the complete block.
    ///
    /// Order matters: token texts are settled first (forced-token votes decide which pending requests
    /// sampled their forced token), then text columns merge into id columns, then biased requests are
    /// inverted (they need the merged columns to find their biased tokens among the returned ones), and
    /// only then are repeats combined, since every step before can add observations to a cell.
    public func finish() throws -> Assembly {
        var a = self
        return try a.finishInPlace()
    }

    private mutating func finishInPlace() throws -> Assembly {
        flushRuns()
        settleStore()
        pairs.settle()
        if options.model == nil, modelCounts.count > 1 { throw AssembleError.mixedModels(counts: modelCounts) }
        if let want = options.model, modelCounts[want] == nil, !modelCounts.isEmpty {
            throw AssembleError.modelNotFound(want, available: modelCounts)
        }
        var notes: [String] = []
        let accepted = pairs.accepted()
        resolvePendingForced(accepted: accepted, notes: &notes)
        let remap = mergeTextColumns(accepted: accepted, notes: &notes)
        resolveBiased(remap: remap)
        let combined = combineRepeats()
        notes += combined.notes

        // Present cells per row, in column-index space.
        var rowCells = [[Int32]](repeating: [], count: rowKeys.count)
        var columnUsed = [Bool](repeating: false, count: columns.keys.count)
        for r in store.rows.indices {
            var list: [Int32] = []
            list.reserveCapacity(store.rows[r].count)
            store.rows[r].forEach { c, _ in list.append(c); columnUsed[Int(c)] = true }
            rowCells[r] = list
        }
        let rowsSeen = rowCells.lazy.filter { !$0.isEmpty }.count
        let columnsSeen = columnUsed.lazy.filter { $0 }.count
        let cellsSeen = rowCells.reduce(0) { $0 + $1.count }
        let block = CompleteBlock(rowCells: rowCells, columnCount: columns.keys.count)
        rowCells = []

        var values = [Double](repeating: 0, count: block.rows.count * block.columns.count)
        for (i, r) in block.rows.enumerated() {
            let cells = store.rows[r]
            for (j, c) in block.columns.enumerated() { values[i * block.columns.count + j] = cells.value(Int32(c))! }
        }
        let samples = DenseSamples(
            rows: block.rows.count, columns: block.columns.count, values: values,
            columnLabels: block.columns.map { columns.keys[$0].label }, rowLabels: block.rows.map { rowKeys[$0] })

        var protocols: [String: Int] = [:]
        var rules: [String] = []
        for (bit, name) in Self.ruleNames.enumerated() where rowRules.contains(where: { $0 & (1 << bit) != 0 }) {
            protocols[name] = 0
        }
        for r in block.rows {
            var names: [String] = []
            for (bit, name) in Self.ruleNames.enumerated() where rowRules[r] & (1 << bit) != 0 {
                protocols[name, default: 0] += 1
                names.append(name)
            }
            rules.append(names.joined(separator: "+"))
        }

        notes += selectionNotes(rowsSeen: rowsSeen, columnsSeen: columnsSeen, cellsSeen: cellsSeen, block: block)
        notes += inputNotes()
        let summary = IngestSummary(
            formats: formatCounts.keys.sorted(), protocols: protocols, requestsRead: requestsRead,
            requestsFailed: requestsFailed, skipped: skipped, rowsSeen: rowsSeen, columnsSeen: columnsSeen,
            rowsKept: block.rows.count, columnsKept: block.columns.count, servingNoise: combined.noise,
            model: options.model ?? modelCounts.keys.first, notes: notes, requestsUsed: requestsUsed,
            entriesSkipped: entriesSkipped, repeatedCells: combined.repeatedCells)
        if samples.rows == 0 || samples.columns == 0 {
            throw AssembleError.noUsableData(detail: Self.describe(summary))
        }
        return Assembly(samples: samples, summary: summary, rowRules: rules)
    }

    /// Forced requests whose sampled text differed from the first text seen for their id waited in
    /// `pending`; now the majority decides. If the first text lost, the cells stored under it are withdrawn
    /// (their top alternatives stay: they are unbiased whatever was sampled).
    private mutating func resolvePendingForced(accepted: [Int: [UInt8]], notes: inout [String]) {
        var unforceable: [Int] = []
        for (id, first) in pairs.firstVote where accepted[id] != first {
            guard let column = columns.lookup(.id(id)) else { continue }
            var withdrawn = 0
            for r in store.rows.indices { withdrawn += store.remove(row: Int32(r), column: column) }
            requestsUsed -= withdrawn
            skipped[Reason.forcedNotSampled, default: 0] += withdrawn
            if accepted[id] == nil { unforceable.append(id) }
        }
        for p in pending {
            if accepted[p.id] == p.text {
                rowRules[Int(p.row)] |= Self.forcedRule
                store.add(row: p.row, column: p.column, value: p.logprob, at: p.at)
                for (c, v) in p.top { store.add(row: p.row, column: c, value: v, at: p.at) }
                requestsUsed += 1
            } else {
                skip(Reason.forcedNotSampled, at: p.at)
            }
        }
        pending = []
        if !unforceable.isEmpty {
            notes.append("warning: \(unforceable.count) token id(s) were never reliably sampled when forced (no sampled text holds a majority), e.g. "
                + unforceable.sorted().prefix(5).map(String.init).joined(separator: ", ") + "; their forced requests are skipped")
        }
    }

    /// Maps each text column whose text belongs to exactly one accepted id onto that id's column and moves
    /// its cells there. Returns the column remapping (identity for everything else).
    private mutating func mergeTextColumns(accepted: [Int: [UInt8]], notes: inout [String]) -> [Int32] {
        var idsOfText: [[UInt8]: [Int]] = [:]
        for (id, text) in accepted { idsOfText[text, default: []].append(id) }
        var remap = (0..<Int32(columns.keys.count)).map { $0 }
        var ambiguous: [String] = []
        var moved = false
        for (i, key) in columns.keys.enumerated() {
            guard case .text(let text) = key, let ids = idsOfText[text] else { continue }
            if ids.count > 1 {
                ambiguous.append("\(ColumnKey.quoted(text)) ↔ ids \(ids.sorted().map(String.init).joined(separator: ", "))")
                continue
            }
            remap[i] = columns.intern(.id(ids[0]))
            moved = true
        }
        let conflicts = pairs.conflicts()
        if conflicts.count > 0 {
            notes.append("warning: \(conflicts.count) token id(s) seen with more than one text: " + conflicts.examples.joined(separator: "; "))
        }
        if !ambiguous.isEmpty {
            notes.append("\(ambiguous.count) token text(s) belong to several ids and stay separate columns: "
                + ambiguous.sorted().prefix(5).joined(separator: "; "))
        }
        guard moved else { return remap }
        for r in store.rows.indices {
            var from: [Int32] = []
            store.rows[r].forEach { c, _ in if remap[Int(c)] != c { from.append(c) } }
            for c in from { store.move(row: Int32(r), from: c, to: remap[Int(c)]) }
        }
        return remap
    }

    private func selectionNotes(rowsSeen: Int, columnsSeen: Int, cellsSeen: Int, block: CompleteBlock) -> [String] {
        let missing = rowsSeen * columnsSeen - cellsSeen
        if missing == 0 { return ["all \(rowsSeen) rows × \(columnsSeen) columns are complete"] }
        var n = ["warning: \(missing) of \(rowsSeen) × \(columnsSeen) cells are missing (never imputed); kept the complete block of "
            + "\(block.rows.count) rows × \(block.columns.count) columns (greedy: repeatedly dropped the row or column "
            + "with the largest share of holes)"]
        if block.rows.count < rowsSeen || block.columns.count < columnsSeen {
            n.append("to use all \(rowsSeen) prompts × \(columnsSeen) tokens, collect the \(missing) missing (prompt, token) "
                + "log-probabilities; dropped \(rowsSeen - block.rows.count) rows and \(columnsSeen - block.columns.count) columns")
        }
        return n
    }

    private func inputNotes() -> [String] {
        var n: [String] = []
        if formatCounts.count > 1 {
            n.append("warning: formats mixed in one run (" + AssembleError.list(formatCounts)
                + "); rows join only where the prompt content is identical")
        }
        if recordsWithoutModel > 0, !modelCounts.isEmpty {
            n.append("\(recordsWithoutModel) records name no model; they were assumed to come from \(options.model ?? modelCounts.keys.first!)")
        }
        let skippedTotal = skipped.values.reduce(0, +)
        if skippedTotal > 0 {
            n.append("warning: \(skippedTotal) of \(requestsRead) lines skipped (" + AssembleError.list(skipped, unit: "") + ")")
        }
        for (reason, at) in skipExample.sorted(by: { $0.key < $1.key }) {
            n.append("skipped \(skipped[reason] ?? 0) × \(reason), first at \(at)")
        }
        n += readerProblems.prefix(10)
        if readerProblemCount > 10 { n.append("… \(readerProblemCount - 10) more input problems") }
        return n
    }

    static func describe(_ s: IngestSummary) -> String {
        var parts = ["\(s.requestsRead) requests read, \(s.requestsUsed) used"]
        if !s.skipped.isEmpty { parts.append("skipped: " + AssembleError.list(s.skipped, unit: "")) }
        if !s.entriesSkipped.isEmpty { parts.append("entries dropped: " + AssembleError.list(s.entriesSkipped, unit: "")) }
        parts.append("\(s.rowsSeen) prompts × \(s.columnsSeen) tokens seen, complete block \(s.rowsKept) × \(s.columnsKept)")
        // Rows are prompts, known only from the request; a bare response cannot say which prompt it answers.
        if (s.skipped[Reason.noPrompt] ?? 0) > 0 {
            parts.append("a response alone does not say which prompt it answers: record {\"request\": …, \"response\": …} "
                         + "pairs, or give the Batch API input file together with its output file")
        }
        return parts.joined(separator: "; ")
    }
}
