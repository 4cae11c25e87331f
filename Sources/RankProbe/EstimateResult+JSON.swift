import RankProbeDetect
import Foundation

extension EstimateResult {
    /// The encoder for the JSON contract: snake_case keys, sorted for stable diffs.
    public static func jsonEncoder(pretty: Bool = true) -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys]
        // Non-finite numbers never appear in a result by construction; if one slipped through, spell it
        // rather than fail the whole report.
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    public static func jsonDecoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    public func jsonString(pretty: Bool = true) throws -> String {
        String(decoding: try Self.jsonEncoder(pretty: pretty).encode(self), as: UTF8.self)
    }
}

extension EstimateResult.NoiseModelReport {
    public init(_ m: NoiseModel) {
        source = m.source.rawValue
        sigma = m.sigma
        edge = m.edge
        threshold = m.threshold
        margin = m.margin.flatMap { $0.isFinite ? $0 : nil }
        bulkFit = m.bulkFit.map { .init(sigma: $0.sigma, values: $0.values, stretch: $0.stretch, misfit: $0.misfit) }
        known = m.known.map { .init(source: $0.source.rawValue, sigma: $0.sigma) }
    }
}
