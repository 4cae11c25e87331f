/// Errors from the report layer, each naming the file (and line where there is one) and the problem.
public struct ReportError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
