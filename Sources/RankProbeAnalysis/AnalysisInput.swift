import Foundation
import RankProbeLogs
import RankProbeMatrix
import RankProbeNPY

/// Reads any input `estimate` accepts into an in-memory sample matrix with column labels.
///
/// `.npy` dumps: rows stacked from all files; columns labelled by token id; columns holding a non-finite
/// value in some kept row are dropped and mostly non-finite rows first (`NonFinitePolicy`, the
/// estimator's). API logs: `LogIngest.load`, whose labels are token ids (or token text when no id is known).
/// `compare` and `export` need the samples in memory (an SVD of N × columns): a 4400 × 32000 dump is 1.1 GB
/// as float64, so for large dumps pass fewer rows.
public enum AnalysisInput {
    public struct Loaded: Sendable {
        public var samples: DenseSamples
        public var description: String
        public var summary: IngestSummary?
    }

    public static func load(paths: [String], model: String? = nil) throws -> Loaded {
        guard !paths.isEmpty else { throw AnalysisError("no input files given") }
        var npy: [Bool] = []
        for path in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw AnalysisError(source: path, "no such file")
            }
            if isDir.boolValue { throw AnalysisError(source: path, "is a directory, not a file") }
            npy.append(path.hasSuffix(".npy") || hasNPYMagic(path))
        }
        if Set(npy).count > 1 {
            throw AnalysisError("cannot mix .npy dumps with API logs in one recording (\(paths.joined(separator: ", ")))")
        }
        if npy[0] {
            let source = try SampleSource.load(paths: paths)
            let scan = FinitenessScan(source)
            let v = source.columns
            let cols = scan.keptColumns
            var values = [Double](repeating: 0, count: scan.keptRows.count * cols.count)
            var row = [Double](repeating: 0, count: v)
            for (k, r) in scan.keptRows.enumerated() {
                row.withUnsafeMutableBufferPointer { source.readRows(r..<(r + 1), into: $0) }
                for (j, c) in cols.enumerated() { values[k * cols.count + j] = row[c] }
            }
            let samples = DenseSamples(rows: scan.keptRows.count, columns: cols.count, values: values,
                                       columnLabels: cols.map(String.init))
            var text = "\(samples.rows) × \(samples.columns) from \(paths.count) .npy file(s)"
            if scan.droppedRows + scan.droppedColumns > 0 {
                text += " (dropped \(scan.droppedRows) rows and \(scan.droppedColumns) columns with non-finite values)"
            }
            return Loaded(samples: samples, description: text, summary: nil)
        }
        let (samples, summary) = try LogIngest.load(paths: paths, options: LogIngestOptions(model: model))
        return Loaded(samples: samples, description: "\(samples.rows) × \(samples.columns) from API logs (\(summary.formats.joined(separator: ", ")))",
                      summary: summary)
    }

    static func hasNPYMagic(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 6)) == Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59])
    }
}
