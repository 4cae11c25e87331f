/// Errors from the report layer and from reading the reference table, each naming the file (and line where
/// there is one) and the problem.
///
/// It lives here, in the lowest module that throws it (the table parser), so that `RankProbeReport` and this
/// module throw one type; `RankProbeReport` re-exports this module, so its users see no change.
public struct ReportError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
