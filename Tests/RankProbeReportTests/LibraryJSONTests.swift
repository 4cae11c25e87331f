import Foundation
import RankProbe
import RankProbeReport
import RankProbeSynth
import Testing

/// The library and the command line speak one JSON: `Estimator` fills the parameter estimate itself, so what
/// `Estimator.estimate(...).jsonString()` returns is what `rankprobe estimate --format json` prints
/// (`ReportRenderer.render(_, format: .json)`, plus its final newline), with the estimate for the true width.
@Suite struct LibraryJSONTests {
    @Test func libraryJSONIsTheCommandLineJSON() throws {
        let dir = try TestData.temporaryDirectory("library-json")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("d64.npy").path
        try SyntheticModel(hidden: 64, vocab: 2000, seed: 1).writeNPY(path: path, samples: 200)

        let r = try Estimator.estimate(paths: [path], options: EstimateOptions(hashInputs: false))
        #expect(r.status == .ok)
        #expect(r.hiddenDim == 64)
        let p = try #require(r.parameters, "the library result carries no parameter estimate")
        #expect(p == (try ParameterEstimator.estimate(hiddenSize: 64)))

        let library = try r.jsonString()
        #expect(library.contains("\"parameters\" : {"))
        #expect(try ReportRenderer.render(r, format: .json) == library + "\n")
        // A result read back from that JSON renders to the same bytes: nothing is added on the way out.
        let decoded = try EstimateResult.jsonDecoder().decode(EstimateResult.self, from: Data(library.utf8))
        #expect(try ReportRenderer.render(decoded, format: .json) == library + "\n")
    }
}
