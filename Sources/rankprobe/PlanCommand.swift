import ArgumentParser

// PLACEHOLDER — replaced by the work item that owns `rankprobe plan`.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "(not yet available)")
    func run() throws { throw ValidationError("rankprobe plan is not available in this build") }
}
