import ArgumentParser
import RankProbe

@main
struct RankProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rankprobe",
        abstract: "Recover the hidden size of an API-only language model from the log-probabilities it returns.",
        discussion: """
            A transformer's logits are W·h with W of size vocabulary × d, so the centred outputs of N > d prompts
            span only a d-dimensional space: their singular values fall off a cliff at index d. rankprobe reads
            recorded outputs (full-vocabulary .npy dumps or recorded API traffic), computes that spectrum with
            LAPACK, and says where the cliff is — or that the data cannot tell.
            """,
        version: RankProbeVersion.string,
        subcommands: [
            EstimateCommand.self, SynthCommand.self, BatchCommand.self,
            CompareCommand.self, PlanCommand.self, ExportCommand.self,
        ]
    )
}
