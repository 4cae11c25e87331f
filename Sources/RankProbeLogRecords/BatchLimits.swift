/// Per-file limits of a Batch API input file (OpenAI: 50,000 requests and 200 MB). `plan` writes its
/// Batch files under them and `estimate --emit-retry` its retry files, so both obey one definition.
public struct BatchLimits: Sendable, Equatable {
    public var requestsPerFile: Int
    public var bytesPerFile: Int
    public init(requestsPerFile: Int, bytesPerFile: Int) {
        self.requestsPerFile = requestsPerFile; self.bytesPerFile = bytesPerFile
    }
    public static let openAI = BatchLimits(requestsPerFile: 50_000, bytesPerFile: 200_000_000)
}
