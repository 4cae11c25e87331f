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
