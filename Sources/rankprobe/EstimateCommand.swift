import ArgumentParser

struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "estimate", abstract: "(being written)")
    func run() throws {}
}
