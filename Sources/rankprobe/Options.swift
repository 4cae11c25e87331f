import ArgumentParser
import Foundation

/// Output options shared by the commands that print a result.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Output format.", valueName: "text|json|markdown|html"))
    var format: OutputFormat = .text

    @Option(name: [.short, .long], help: ArgumentHelp("Write the result to PATH instead of standard output.", valueName: "PATH"))
    var output: String?
}

/// `--quiet`, shared by the commands that run long steps.
struct ProgressOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "No progress lines on standard error (they appear only when it is a terminal).")
    var quiet = false

    /// The progress sink for the pipeline: nil when quiet or when standard error is not a terminal.
    var sink: (@Sendable (String) -> Void)? {
        if quiet || !stderrIsTerminal { return nil }
        return { @Sendable message in progressLine(message) }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, markdown, html

    /// The format a report path's extension names, or nil for any other extension (`x.pdf` is refused
    /// rather than silently written as text).
    init?(reportPath path: String) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "html", "htm": self = .html
        case "md", "markdown": self = .markdown
        case "json": self = .json
        case "txt", "text": self = .text
        default: return nil
        }
    }
}

/// Checks, before any work, that `path` can be created or replaced: its folder exists and is writable, and
/// it is not itself a folder. `option` names the flag in the message. Writing can still fail later (a full
/// disk), but not after minutes of work for a typo in the path.
func checkOutputPath(_ path: String, option: String) throws {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    if fm.fileExists(atPath: path, isDirectory: &isDir) {
        if isDir.boolValue {
            throw ValidationError("\(option) \(path): is a folder; give a file name")
        }
        guard fm.isWritableFile(atPath: path) else { throw ValidationError("\(option) \(path): the file exists and is not writable") }
        return
    }
    let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard fm.fileExists(atPath: parent, isDirectory: &isDir), isDir.boolValue else {
        throw ValidationError("\(option) \(path): the folder \(parent) does not exist (create it first)")
    }
    guard fm.isWritableFile(atPath: parent) else { throw ValidationError("\(option) \(path): the folder \(parent) is not writable") }
}

/// The same file named twice (also as `./m.npy`, an absolute path or a link) would be stacked twice.
func checkDistinctInputs(_ paths: [String]) throws {
    var seen: [String: String] = [:]
    for path in paths {
        var st = stat()
        guard stat(path, &st) == 0 else { continue }  // missing files are reported by the reader, with the path
        let key = "\(st.st_dev):\(st.st_ino)"
        if let first = seen[key] {
            let same = first == path ? "\(path) is given twice" : "\(first) and \(path) are the same file"
            throw ValidationError("\(same): each input is read once; remove the repeat (the rows would be stacked twice)")
        }
        seen[key] = path
    }
}

/// Writes text to a path or to standard output.
func emit(_ text: String, to path: String?) throws {
    if let path {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw RankProbeFailure(message: "cannot write \(path): \(error.localizedDescription)")
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
