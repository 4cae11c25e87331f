import ArgumentParser

// PLACEHOLDER — replaced by the work item that owns `rankprobe batch`.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "batch", abstract: "(not yet available)")
    func run() throws { throw ValidationError("rankprobe batch is not available in this build") }
}
