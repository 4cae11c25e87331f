import RankProbeLogs
import RankProbeParameters

/// Everything `rankprobe estimate` says about one model: the verdict, the evidence and the provenance.
///
/// This is the JSON contract that scripts, the batch report and the tests depend on. It is encoded with
/// snake_case keys (`hidden_dim`, `singular_values`, …) by `EstimateResult.jsonEncoder()`. Add fields; do not
/// rename or remove them.
public struct EstimateResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case ok, insufficient, ambiguous }

    public struct Candidate: Codable, Sendable, Equatable {
        /// A hidden size the spectrum supports (number of singular values above the cliff).
        public var dim: Int
        /// σ_dim / σ_(dim+1): how deep the cliff after `dim` is.
        public var ratio: Double
        public init(dim: Int, ratio: Double) { self.dim = dim; self.ratio = ratio }
    }

    public struct Gap: Codable, Sendable, Equatable {
        /// 1-based index of the last singular value above the cliff.
        public var index: Int
        public var ratio: Double
        public init(index: Int, ratio: Double) { self.index = index; self.ratio = ratio }
    }

    public struct Timings: Codable, Sendable, Equatable {
        public var load: Double
        public var spectrum: Double
        public var total: Double
        /// Parts of `spectrum`, when measured: Gram accumulation, eigenvalues, output-bias test. When `auto`
        /// tried a sketch and then ran the exact Gram, `gram` includes the sketch's whole trial (its Gram and
        /// eigenvalues), which `spectrum.sketch_seconds` gives on its own.
        public var gram: Double?
        public var eigen: Double?
        public var bias: Double?
        public init(load: Double = 0, spectrum: Double = 0, total: Double = 0,
                    gram: Double? = nil, eigen: Double? = nil, bias: Double? = nil) {
            self.load = load; self.spectrum = spectrum; self.total = total
            self.gram = gram; self.eigen = eigen; self.bias = bias
        }
    }

    /// One input file as read: for provenance in reports.
    public struct InputFile: Codable, Sendable, Equatable {
        public var path: String
        public var bytes: Int
        public var sha256: String?
        public var format: String
        public init(path: String, bytes: Int, sha256: String?, format: String) {
            self.path = path; self.bytes = bytes; self.sha256 = sha256; self.format = format
        }
    }

    /// How the output-bias decision was made (see `Spectrum.biasTest`).
    public struct BiasTest: Codable, Sendable, Equatable {
        /// Relative residual of the offset direction outside the signal subspace (0: inside, 1: orthogonal).
        public var residual: Double
        /// Regularisation level used (an eigenvalue between the signal and the noise floor).
        public var threshold: Double
        /// Residual expected without an offset, computed from the data (see `CentredGram.offsetResidual`).
        public var expected: Double?
        /// `residual < cut` reads as an offset; `residual > noOffsetCut` as none; in between, inconclusive.
        public var cut: Double?
        public var noOffsetCut: Double?
        public init(residual: Double, threshold: Double, expected: Double? = nil, cut: Double? = nil, noOffsetCut: Double? = nil) {
            self.residual = residual; self.threshold = threshold
            self.expected = expected; self.cut = cut; self.noOffsetCut = noOffsetCut
        }
    }

    /// What the detector took the noise to be (see `RankProbeDetect.NoiseModel`).
    public struct NoiseModelReport: Codable, Sendable, Equatable {
        public struct BulkFit: Codable, Sendable, Equatable {
            public var sigma: Double
            public var values: Int
            public var stretch: Double
            public var misfit: Double
        }
        public struct Known: Codable, Sendable, Equatable {
            public var source: String
            public var sigma: Double
        }
        /// "bulk_fit", "repeats", "grid", "flat_floor" or "precision".
        public var source: String
        public var sigma: Double?
        /// Singular value at the top of the noise bulk.
        public var edge: Double
        /// Significance line: edge plus the Tracy–Widom margin.
        public var threshold: Double
        /// Weakest counted direction over the detection threshold σ(np)^¼.
        public var margin: Double?
        public var bulkFit: BulkFit?
        public var known: [Known]
    }

    /// One way to read the measured rank: which architecture gives which hidden size.
    public struct Reading: Codable, Sendable, Equatable {
        public var architecture: String
        public var hiddenDim: Int
        public init(architecture: String, hiddenDim: Int) { self.architecture = architecture; self.hiddenDim = hiddenDim }
    }

    public struct ShelfReport: Codable, Sendable, Equatable {
        public var first: Int
        public var last: Int
        public var drop: Double
        public var height: Double
    }

    /// A published model near the recovered width (defined with the estimate in `RankProbeParameters`).
    public typealias NearestModel = RankProbeParameters.NearestModel

    /// Parameter-count estimate from the hidden size (`RankProbeParameters`; filled by `Estimator`).
    public typealias ParameterEstimate = RankProbeParameters.ParameterEstimate

    public var status: Status
    public var hiddenDim: Int?
    /// Measured rank of the double-centred outputs (`ok` only); `hiddenDim` is its RMSNorm reading.
    public var rank: Int?
    /// Every hidden size the rank allows, by architecture (`ok` only).
    public var readings: [Reading]
    public var noiseModel: NoiseModelReport?
    /// Singular values at or below this are the float64 Gram's rounding, not data.
    public var numericalFloor: Double?
    public var shelf: ShelfReport?
    /// How the spectrum was computed: the exact Gram or a sketch, and why (see `SpectrumReport`).
    public var spectrum: SpectrumReport?
    public var lowerBound: Int?
    public var candidates: [Candidate]
    /// Rows (prompts) used.
    public var samples: Int
    /// Columns (tokens) used, after non-finite columns were dropped.
    public var columns: Int
    /// Columns dropped because some sample had -inf or NaN there.
    public var columnsDropped: Int
    public var outputBias: Bool?
    public var biasTest: BiasTest?
    public var gap: Gap?
    public var noiseFloor: Double?
    /// "high", "medium", "low" for `ok`; "none" otherwise.
    public var confidence: String
    /// Number of leading singular values that stand far above the power-law bulk (massive activations).
    public var dominantDirections: Int
    /// Singular values of the double-centred sample matrix, descending.
    public var singularValues: [Double]
    /// For `insufficient`: the total number of samples we suggest collecting.
    public var suggestedSamples: Int?
    /// One sentence a person can read.
    public var message: String
    public var warnings: [String]
    public var seconds: Timings
    public var inputs: [InputFile]
    /// Log ingest details (formats, protocol, lines used/skipped); nil for `.npy` input.
    public var input: IngestSummary?
    public var parameters: ParameterEstimate?
    public var toolVersion: String
    public var commandLine: [String]

    public init(
        status: Status, hiddenDim: Int? = nil, lowerBound: Int? = nil, candidates: [Candidate] = [],
        samples: Int, columns: Int, columnsDropped: Int = 0, outputBias: Bool? = nil, biasTest: BiasTest? = nil,
        gap: Gap? = nil, noiseFloor: Double? = nil, confidence: String = "none", dominantDirections: Int = 0,
        singularValues: [Double] = [], suggestedSamples: Int? = nil, message: String = "", warnings: [String] = [],
        seconds: Timings = Timings(), inputs: [InputFile] = [], input: IngestSummary? = nil,
        parameters: ParameterEstimate? = nil, toolVersion: String = RankProbeVersion.string, commandLine: [String] = [],
        rank: Int? = nil, readings: [Reading] = [], noiseModel: NoiseModelReport? = nil, numericalFloor: Double? = nil,
        shelf: ShelfReport? = nil, spectrum: SpectrumReport? = nil
    ) {
        self.spectrum = spectrum
        self.rank = rank; self.readings = readings; self.noiseModel = noiseModel
        self.numericalFloor = numericalFloor; self.shelf = shelf
        self.status = status; self.hiddenDim = hiddenDim; self.lowerBound = lowerBound; self.candidates = candidates
        self.samples = samples; self.columns = columns; self.columnsDropped = columnsDropped
        self.outputBias = outputBias; self.biasTest = biasTest; self.gap = gap; self.noiseFloor = noiseFloor
        self.confidence = confidence; self.dominantDirections = dominantDirections
        self.singularValues = singularValues; self.suggestedSamples = suggestedSamples; self.message = message
        self.warnings = warnings; self.seconds = seconds; self.inputs = inputs; self.input = input
        self.parameters = parameters; self.toolVersion = toolVersion; self.commandLine = commandLine
    }

    // Optionals are encoded as explicit nulls: the contract promises the keys, not just the values.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(hiddenDim, forKey: .hiddenDim)
        try c.encode(rank, forKey: .rank)
        try c.encode(readings, forKey: .readings)
        try c.encode(lowerBound, forKey: .lowerBound)
        try c.encode(candidates, forKey: .candidates)
        try c.encode(samples, forKey: .samples)
        try c.encode(columns, forKey: .columns)
        try c.encode(columnsDropped, forKey: .columnsDropped)
        try c.encode(outputBias, forKey: .outputBias)
        try c.encode(biasTest, forKey: .biasTest)
        try c.encode(gap, forKey: .gap)
        try c.encode(noiseFloor, forKey: .noiseFloor)
        try c.encode(noiseModel, forKey: .noiseModel)
        try c.encode(numericalFloor, forKey: .numericalFloor)
        try c.encode(shelf, forKey: .shelf)
        try c.encode(spectrum, forKey: .spectrum)
        try c.encode(confidence, forKey: .confidence)
        try c.encode(dominantDirections, forKey: .dominantDirections)
        try c.encode(singularValues, forKey: .singularValues)
        try c.encode(suggestedSamples, forKey: .suggestedSamples)
        try c.encode(message, forKey: .message)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(input, forKey: .input)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(toolVersion, forKey: .toolVersion)
        try c.encode(commandLine, forKey: .commandLine)
    }
}
