/// The parameter-count estimate for a recovered hidden size: the `parameters` object of the JSON contract
/// (`EstimateResult.ParameterEstimate` is this type).
public struct ParameterEstimate: Codable, Sendable, Equatable {
    public var low: Double
    public var high: Double
    public var nearest: [NearestModel]
    public var method: String
    /// Weight memory in bytes at fp16, int8 and int4 for `low` and `high`.
    public var memoryBytes: [String: [Double]]
    public var caveats: [String]
    public init(low: Double, high: Double, nearest: [NearestModel], method: String,
                memoryBytes: [String: [Double]], caveats: [String]) {
        self.low = low; self.high = high; self.nearest = nearest; self.method = method
        self.memoryBytes = memoryBytes; self.caveats = caveats
    }
}

/// A published model near the recovered width (a row of the reference table without its source).
public struct NearestModel: Codable, Sendable, Equatable {
    public var family: String
    public var model: String
    public var parameters: Double
    public var hiddenSize: Int
    public var layers: Int
    public var moe: Bool
    public init(family: String, model: String, parameters: Double, hiddenSize: Int, layers: Int, moe: Bool) {
        self.family = family; self.model = model; self.parameters = parameters
        self.hiddenSize = hiddenSize; self.layers = layers; self.moe = moe
    }
}
