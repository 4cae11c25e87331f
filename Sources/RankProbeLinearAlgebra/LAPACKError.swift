/// A LAPACK routine returned a non-zero INFO.
///
/// LAPACK reports problems through INFO rather than by crashing: a negative value names the argument that
/// was illegal (a bug on our side), a positive one a numerical failure (a matrix that is not positive
/// definite, an eigensolver that did not converge). Both are surfaced as errors so that no caller can read
/// the half-written output as if it were an answer.
public struct LAPACKError: Error, CustomStringConvertible, Equatable, Sendable {
    public var routine: String
    public var info: Int32

    public init(routine: String, info: Int32) {
        self.routine = routine
        self.info = info
    }

    public var description: String {
        if info < 0 {
            return "\(routine): argument \(-info) had an illegal value (INFO = \(info))"
        }
        switch routine {
        case "dpotrf": return "dpotrf: the leading minor of order \(info) is not positive definite (INFO = \(info))"
        case "dsyevd", "dsyevd_2stage": return "\(routine): the eigensolver failed to converge (INFO = \(info))"
        case "dgesdd": return "dgesdd: the SVD did not converge (INFO = \(info))"
        default: return "\(routine) failed with INFO = \(info)"
        }
    }

    /// Throws unless `info` is zero.
    @inlinable
    public static func check(_ info: Int32, _ routine: String) throws(LAPACKError) {
        if info != 0 { throw LAPACKError(routine: routine, info: info) }
    }
}
