import ArgumentParser

// PLACEHOLDER — replaced by the work item that owns `rankprobe synth`.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "synth", abstract: "(not yet available)")
    func run() throws { throw ValidationError("rankprobe synth is not available in this build") }
}
