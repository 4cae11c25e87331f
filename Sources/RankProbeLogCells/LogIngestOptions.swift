import RankProbeLogRecords

/// Options for turning recorded API logs into a sample matrix.
public struct LogIngestOptions: Sendable {
    /// Use only responses of this model (the CLI's `--model`); nil refuses logs that mix models.
    public var model: String?
    /// Force one protocol for every request instead of detecting it per request (for old biased-logprob
    /// logs without top alternatives, which cannot show their bias).
    public var protocolOverride: LogProtocol?
    /// Smallest `logit_bias` that counts as forcing a token (OpenAI allows up to 100).
    public var forcedMinBias: Double
    /// A repeat conflicts when it lies more than max(conflictNoiseFactor × serving noise, conflictFloor) nats
    /// from its cell's median.
    public var conflictNoiseFactor: Double
    public var conflictFloor: Double
    /// Observations kept per repeated cell for its median (min/max always cover all of them).
    public var repeatValuesKept: Int
    /// Progress lines on stderr: nil = only when stderr is a terminal.
    public var progress: Bool?
    /// Parser threads for the reader.
    public var threads: Int

    public init(
        model: String? = nil, protocolOverride: LogProtocol? = nil, forcedMinBias: Double = 20,
        conflictNoiseFactor: Double = 10, conflictFloor: Double = 0.5, repeatValuesKept: Int = 32,
        progress: Bool? = nil, threads: Int = 2
    ) {
        self.model = model; self.protocolOverride = protocolOverride; self.forcedMinBias = forcedMinBias
        self.conflictNoiseFactor = conflictNoiseFactor; self.conflictFloor = conflictFloor
        self.repeatValuesKept = repeatValuesKept; self.progress = progress; self.threads = threads
    }
}
