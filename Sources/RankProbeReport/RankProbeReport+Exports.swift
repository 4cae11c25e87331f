// The parameter estimate (ParameterEstimator, ArchitectureTable, ParameterModel, ReportError) lives in
// RankProbeParameters, which RankProbe uses too; re-exported so that `import RankProbeReport` still offers it.
@_exported import RankProbeParameters
