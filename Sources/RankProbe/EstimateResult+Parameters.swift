import RankProbeParameters

extension EstimateResult {
    /// The result with `parameters` filled from the recovered hidden size (left as is if already set, or if
    /// there is no hidden size). If the reference table cannot be read, a warning says so instead.
    ///
    /// `Estimator` calls this on every result, so the library's JSON and the command line's are the same
    /// bytes; the report layer calls it again for results read back from JSON that lack the field.
    public func withParameterEstimate() -> EstimateResult {
        guard parameters == nil, let d = hiddenDim, d > 0 else { return self }
        var out = self
        do { out.parameters = try ParameterEstimator.estimate(hiddenSize: d) } catch {
            out.warnings.append("No parameter estimate: \(error)")
        }
        return out
    }
}
