import ArgumentParser

// PLACEHOLDER — replaced by the work item that owns `rankprobe export`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "(not yet available)")
    func run() throws { throw ValidationError("rankprobe export is not available in this build") }
}
