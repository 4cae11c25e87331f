import ArgumentParser
import Foundation
import RankProbe

@main
struct RankProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rankprobe",
        abstract: "Recover the hidden size of an API-only language model from the log-probabilities it returns.",
        discussion: """
            A transformer's logits are W·h with W of size vocabulary × d, so the centred outputs of N > d \
            prompts span only a d-dimensional space: their singular values fall off a cliff at index d. \
            rankprobe reads recorded outputs (full-vocabulary .npy dumps or recorded API traffic), computes \
            that spectrum with LAPACK, and says where the cliff is — or that the data cannot tell.

            EXAMPLES
              rankprobe synth --hidden 64 --vocab 2000 --samples 400 --out m.npy
              rankprobe estimate m.npy
              rankprobe estimate m.npy --report m.html
              rankprobe help estimate
            """,
        version: RankProbeVersion.string,
        subcommands: [
            EstimateCommand.self, SynthCommand.self, BatchCommand.self,
            CompareCommand.self, PlanCommand.self, ExportCommand.self,
        ]
    )

    /// The parser's own entry point, after the BLAS kernel check (`BLASCoreChoice`) and one check the parser
    /// does not make: `rankprobe help NAME` with a NAME
    /// that is no subcommand prints the root help and exits 0, so a typo looks like success.
    static func main() {
        BLASCoreChoice.restartIfNarrow()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "help", let topic = arguments.dropFirst().first(where: { !$0.hasPrefix("-") }),
           !subcommandNames.contains(topic) {
            let message = "Error: '\(topic)' is not a rankprobe command (commands: \(subcommandNames.joined(separator: ", ")))\n"
                + "  See 'rankprobe help' for the list.\n"
            FileHandle.standardError.write(Data(message.utf8))
            Foundation.exit(64)  // EX_USAGE, as the parser exits for other command-line errors
        }
        RankProbeCommand.main(nil)
    }

    /// The subcommands' names (none of them has subcommands of its own).
    static var subcommandNames: [String] {
        configuration.subcommands.map { name(of: $0) }
    }

    private static func name<C: ParsableCommand>(of command: C.Type) -> String {
        command.configuration.commandName ?? String(describing: command)
    }
}
