import ArgumentParser
import Foundation

/// Output options shared by the commands that print a result.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Output format.", valueName: "text|json|markdown|html"))
    var format: OutputFormat = .text

    @Option(name: [.short, .long], help: ArgumentHelp("Write the result to PATH instead of standard output.", valueName: "PATH"))
    var output: String?
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, markdown, html
}

/// Writes text to a path or to standard output.
func emit(_ text: String, to path: String?) throws {
    if let path {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ValidationError("cannot write \(path): \(error.localizedDescription)")
        }
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
        if !text.hasSuffix("\n") { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }
}

/// Progress lines go to standard error, and only when it is a terminal (never into logs or pipes).
let stderrIsTerminal = isatty(2) == 1

func progressLine(_ message: String) {
    guard stderrIsTerminal else { return }
    FileHandle.standardError.write(Data("rankprobe: \(message)\n".utf8))
}
