import ArgumentParser
import Foundation
import RankProbeAnalysis

/// `rankprobe compare`: is recording B served by the same output layer as recording A?
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Test whether two recordings come from the same model (same output layer).",
        usage: "rankprobe compare A... --against B... [--hidden N] [--format text|json]",
        discussion: """
            DESCRIPTION
              A model's centred log-probability rows lie in a d-dimensional subspace of token space, the \
            column space of its (centred) output matrix: its image. compare fits A's image on the token \
            columns both recordings share and measures how much of B's centred rows lies outside it, per \
            entry (RMS), against the same quantity for A's own rows held out of the fit (5-fold cross-\
            validation). That ratio is the excess: about 1 for a fresh sample of the same model, large for \
            another model, a changed output layer (fine-tuned rows, a low-rank update, another hidden size) \
            or a changed output bias (B is centred with A's mean row).

              A needs more rows than d (at least (d + 1 + margin)·5/4, margin = max(16, ⌈d/10⌉)); B may have \
            as few as one row. Columns are matched by token id (log labels, or the column index of .npy \
            dumps); at least d + 1 + margin must be shared.

            VERDICT
              same          excess ≤ 1.5
              different     excess ≥ 3
              inconclusive  in between, or the data cannot decide (too few shared columns or rows of A, no \
            clear cliff in A's spectrum, undetectable hidden size); the reason is printed.
              Noise: the reference level is the larger of A's held-out residual and, when B has at least \
            d + 4 rows and its own spectrum shows its cliff at the same d, B's own noise (the tail of B's \
            spectrum beyond d). So a noisier recording of the same model still reads "same"; with fewer rows \
            B is assumed to be as noisy as A (said in the notes). If B's own cliff is elsewhere, that is \
            reported too. Principal angles between B's top directions and A's image are \
            reported as supporting evidence. Exit status is 0 for every verdict.

            EXAMPLE
              rankprobe synth --hidden 64 --vocab 2000 --samples 400 --seed 1 --out a.npy
              rankprobe synth --hidden 64 --vocab 2000 --samples 400 --seed 1 --noise 0.001 --out b.npy
              rankprobe compare a.npy --against b.npy --hidden 64
            """)

    @Argument(help: ArgumentHelp("Recording A (the reference): .npy dumps or API logs.", valueName: "A"))
    var a: [String]

    @Option(name: .customLong("against"), parsing: .upToNextOption,
            help: ArgumentHelp("Recording B, tested against A's image.", valueName: "B"))
    var b: [String]

    @Option(help: ArgumentHelp("Hidden size of A (default: detected from A's spectrum on the shared columns).", valueName: "N"))
    var hidden: Int?

    @Option(help: ArgumentHelp("With logs from several models: use only responses of this model.", valueName: "MODEL"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Output format.", valueName: "text|json"))
    var format: Format = .text

    @Option(name: [.short, .long], help: ArgumentHelp("Write the result to PATH instead of standard output.", valueName: "PATH"))
    var output: String?

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    func validate() throws {
        if a.isEmpty { throw ValidationError("give at least one file for A") }
        if b.isEmpty { throw ValidationError("give at least one file for B with --against") }
        if let hidden, hidden < 1 { throw ValidationError("--hidden must be at least 1 (got \(hidden))") }
    }

    func run() throws {
        let result: SubspaceComparison
        do {
            let la = try AnalysisInput.load(paths: a, model: model)
            let lb = try AnalysisInput.load(paths: b, model: model)
            result = try SubspaceComparison.compare(a: la.samples, b: lb.samples, options: .init(hiddenDim: hidden))
        } catch {
            throw RankProbeFailure(message: "\(error)")
        }
        switch format {
        case .json:
            try emit(String(decoding: try SubspaceComparison.jsonEncoder().encode(result), as: UTF8.self), to: output)
        case .text:
            try emit(result.text, to: output)
        }
    }
}
