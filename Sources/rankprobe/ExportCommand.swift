import ArgumentParser
import Foundation
import RankProbeAnalysis

/// `rankprobe export`: write the recovered output-layer basis.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the recovered output-layer basis W̃ = V_d·Σ_d as .npy.",
        discussion: """
            DESCRIPTION
              Centres the samples (each row over its tokens, then each token column over the rows), takes \
            the SVD and writes W̃ = V_d·Σ_d: one row per kept token column, d columns, float64, C order. W̃ \
            spans the same subspace as the model's unembedding W with its all-ones component removed (P·W, \
            P = I − 11ᵀ/V): W̃ = P·W·M for an unknown invertible d × d matrix M. Log-probabilities are defined \
            up to a per-prompt constant, so no method sees W's component along the all-ones direction; an \
            output bias is a constant offset and is removed by the column centring, so it is not in W̃.

              Row k of the array belongs to the k-th entry of "columns" in the sidecar OUT.columns.json \
            (token ids for .npy dumps, the log reader's column labels for API logs), which also records d, \
            whether it was given or detected, the sample count and the leading singular values.

              The samples are held in memory for the SVD (N × columns float64).

            EXAMPLE
              rankprobe synth --hidden 64 --vocab 2000 --samples 300 --out s.npy
              rankprobe export s.npy --out W.npy        # W.npy: 2000 × 64, W.columns.json
            """)

    @Argument(help: ArgumentHelp("Input files (.npy dumps or API logs).", valueName: "INPUT"))
    var inputs: [String]

    @Option(help: ArgumentHelp("Output .npy path; the labels go to the same name with .columns.json.", valueName: "W.npy"))
    var out: String

    @Option(help: ArgumentHelp("Hidden size d (default: detected as in `estimate`).", valueName: "N"))
    var hidden: Int?

    @Option(help: ArgumentHelp("With logs from several models: use only responses of this model.", valueName: "MODEL"))
    var model: String?

    func run() throws {
        do {
            let loaded = try AnalysisInput.load(paths: inputs, model: model)
            let export = try OutputBasisExport.compute(samples: loaded.samples, hiddenDim: hidden)
            try export.write(path: out)
            let line = "rankprobe export: wrote \(out): \(export.basis.rows) × \(export.hiddenDim) (d \(export.hiddenDimSource), \(export.samples) samples) and \(OutputBasisExport.sidecarPath(for: out))\n"
            FileHandle.standardError.write(Data(line.utf8))
        } catch {
            throw RankProbeFailure(message: "\(error)")
        }
    }
}
