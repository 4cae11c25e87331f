import ArgumentParser

// PLACEHOLDER — replaced by the work item that owns `rankprobe compare`.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "(not yet available)")
    func run() throws { throw ValidationError("rankprobe compare is not available in this build") }
}
