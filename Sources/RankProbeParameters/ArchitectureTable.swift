import Foundation

/// One published architecture from the reference table (`Resources/architectures.csv`).
public struct Architecture: Sendable, Equatable, Codable {
    public var family: String
    public var model: String
    /// Total parameter count as published (for a mixture of experts: all experts, not the active ones).
    public var parameters: Double
    public var hiddenSize: Int
    public var layers: Int
    public var vocabulary: Int
    public var moe: Bool
    /// Where the numbers come from (the model's config file and/or paper).
    public var source: String

    public init(family: String, model: String, parameters: Double, hiddenSize: Int, layers: Int, vocabulary: Int,
                moe: Bool, source: String) {
        self.family = family; self.model = model; self.parameters = parameters; self.hiddenSize = hiddenSize
        self.layers = layers; self.vocabulary = vocabulary; self.moe = moe; self.source = source
    }

    public var nearest: NearestModel {
        .init(family: family, model: model, parameters: parameters, hiddenSize: hiddenSize, layers: layers, moe: moe)
    }
}

/// The reference table of published architectures.
///
/// Single source of truth: `Sources/RankProbeParameters/Resources/architectures.csv`, shipped as a package
/// resource and read at run time; `Data/architectures.csv` is a symbolic link to it so the table is also where
/// readers of the repository look for data. Rows are added only with numbers taken from a published config or
/// paper (named in `source`); a model whose numbers are not certain is left out rather than guessed.
public enum ArchitectureTable {
    /// The bundled table, parsed once. Throws if the resource is missing or malformed (a packaging bug).
    public static func bundled() throws -> [Architecture] {
        try cache.get()
    }

    private static let cache: Result<[Architecture], ReportError> = {
        guard let url = Bundle.module.url(forResource: "architectures", withExtension: "csv", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: "architectures", withExtension: "csv")
        else { return .failure(ReportError("architectures.csv: not found in the RankProbeParameters resources")) }
        do {
            let text = try String(contentsOf: url, encoding: .utf8)
            return .success(try parse(csv: text, file: url.lastPathComponent))
        } catch let e as ReportError {
            return .failure(e)
        } catch {
            return .failure(ReportError("\(url.path): \(error)"))
        }
    }()

    static let header = ["family", "model", "parameters", "hidden_size", "layers", "vocabulary", "kind", "source"]

    /// Parses the table. Errors name the file, the line and the field.
    public static func parse(csv: String, file: String) throws -> [Architecture] {
        var rows: [Architecture] = []
        var lineNumber = 0
        var sawHeader = false
        for rawLine in csv.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : String(rawLine)
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            let fields = try splitCSVLine(line, file: file, line: lineNumber)
            if !sawHeader {
                guard fields == header else {
                    throw ReportError("\(file):\(lineNumber): header must be \(header.joined(separator: ",")), found \(line)")
                }
                sawHeader = true
                continue
            }
            guard fields.count == header.count else {
                throw ReportError("\(file):\(lineNumber): expected \(header.count) fields, found \(fields.count)")
            }
            func int(_ i: Int) throws -> Int {
                guard let v = Int(fields[i]), v > 0 else {
                    throw ReportError("\(file):\(lineNumber): \(header[i]) must be a positive integer, found '\(fields[i])'")
                }
                return v
            }
            guard let params = Double(fields[2]), params > 0, params.isFinite else {
                throw ReportError("\(file):\(lineNumber): parameters must be a positive number, found '\(fields[2])'")
            }
            guard fields[6] == "dense" || fields[6] == "moe" else {
                throw ReportError("\(file):\(lineNumber): kind must be 'dense' or 'moe', found '\(fields[6])'")
            }
            guard !fields[7].isEmpty else { throw ReportError("\(file):\(lineNumber): source is empty") }
            rows.append(Architecture(
                family: fields[0], model: fields[1], parameters: params, hiddenSize: try int(3), layers: try int(4),
                vocabulary: try int(5), moe: fields[6] == "moe", source: fields[7]))
        }
        guard sawHeader else { throw ReportError("\(file): empty table") }
        return rows
    }

    /// RFC 4180 fields on one line: commas separate, double quotes enclose, "" inside quotes is a quote.
    static func splitCSVLine(_ line: String, file: String, line lineNumber: Int) throws -> [String] {
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var chars = Array(line)[...]
        while let ch = chars.popFirst() {
            if inQuotes {
                if ch == "\"" {
                    if chars.first == "\"" { field.append("\""); chars = chars.dropFirst() } else { inQuotes = false }
                } else { field.append(ch) }
            } else if ch == "," {
                fields.append(field); field = ""
            } else if ch == "\"" && field.isEmpty {
                inQuotes = true
            } else {
                field.append(ch)
            }
        }
        if inQuotes { throw ReportError("\(file):\(lineNumber): unterminated quoted field") }
        fields.append(field)
        return fields
    }
}
