import Foundation

/// Where batch output may go: inside OUTDIR, nowhere else.
///
/// Policy: a model name that reads as a path out of OUTDIR (absolute, `~`, or with a `..` component) is
/// refused — that model is reported as failed, since silently renaming it would hide a mistake in the manifest.
/// Every other name is turned into a slug (lower-case ASCII letters, digits, `-`), so `meta/llama` becomes
/// `meta-llama` and no file name can contain a separator or start with a dot. As a last line of defence, every
/// write checks that the target's resolved parent directory is OUTDIR or below it (a symlinked `models/` that
/// points elsewhere is refused).
public struct OutputDirectory: Sendable {
    public let root: URL
    private let resolvedRoot: String

    public init(_ path: String) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw ReportError("\(path): cannot create output directory: \(error.localizedDescription)")
        }
        root = url
        resolvedRoot = url.resolvingSymlinksInPath().path
    }

    /// Why a model name is refused, or nil if it is acceptable.
    public static func refusal(forName name: String) -> String? {
        let components = name.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        if name.hasPrefix("/") || name.hasPrefix("\\") || name.hasPrefix("~") || (name.count >= 2 && name.dropFirst().first == ":") {
            return "model name \"\(name)\" is an absolute path; refusing it so nothing is written outside OUTDIR"
        }
        if components.contains(where: { $0 == ".." }) {
            return "model name \"\(name)\" contains \"..\"; refusing it so nothing is written outside OUTDIR"
        }
        return nil
    }

    /// A file-name-safe slug: ASCII letters and digits lower-cased, runs of anything else one `-`, at most 80
    /// characters, "model" if nothing is left.
    public static func slug(_ name: String) -> String {
        var out = ""
        for s in name.unicodeScalars {
            if s.isASCII, (s.properties.isAlphabetic || ("0"..."9").contains(Character(s))) {
                out.append(Character(s).lowercased())
            } else if !out.hasSuffix("-") {
                out.append("-")
            }
        }
        let trimmed = String(out.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(80))
            .trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return trimmed.isEmpty ? "model" : trimmed
    }

    /// Unique slugs for a list of names, in order ("x", "x-2", "x-3"…); the reserved names of the index files
    /// never collide because per-model files live under `models/`.
    public static func uniqueSlugs(_ names: [String]) -> [String] {
        var used = Set<String>()
        return names.map { name in
            let base = slug(name)
            var s = base, k = 2
            while used.contains(s) { s = "\(base)-\(k)"; k += 1 }
            used.insert(s)
            return s
        }
    }

    /// Writes `text` at `relative` (a path we built from slugs) after checking it stays inside OUTDIR.
    public func write(_ text: String, to relative: String) throws {
        let url = root.appendingPathComponent(relative).standardizedFileURL
        let parent = url.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
            throw ReportError("\(parent.path): cannot create directory: \(error.localizedDescription)")
        }
        let resolvedParent = parent.resolvingSymlinksInPath().path
        guard resolvedParent == resolvedRoot || resolvedParent.hasPrefix(resolvedRoot + "/") else {
            throw ReportError("\(url.path): resolves outside the output directory \(root.path); not writing it")
        }
        do { try Data(text.utf8).write(to: url, options: .atomic) } catch {
            throw ReportError("\(url.path): cannot write: \(error.localizedDescription)")
        }
    }
}
