/// A problem with the inputs of `compare`, `plan` or `export`, phrased for the person who ran the command.
///
/// `source` names the file (and, where it applies, the line) so the message can be acted on without a
/// debugger; numerical failures from LAPACK are wrapped rather than passed through raw.
public struct AnalysisError: Error, CustomStringConvertible, Sendable, Equatable {
    public var source: String?
    public var line: Int?
    public var problem: String

    public init(source: String? = nil, line: Int? = nil, _ problem: String) {
        self.source = source; self.line = line; self.problem = problem
    }

    public var description: String {
        switch (source, line) {
        case let (s?, l?): return "\(s):\(l): \(problem)"
        case let (s?, nil): return "\(s): \(problem)"
        default: return problem
        }
    }
}
