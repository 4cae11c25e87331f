import Foundation

extension SubspaceComparison {
    public static func jsonEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    /// Plain-text report: verdict first, then the numbers it rests on.
    public var text: String {
        var lines = ["verdict: \(verdict.rawValue)", message]
        func f(_ x: Double?) -> String { x.map { Self.format($0) } ?? "—" }
        lines.append("hidden size (A's image): \(hiddenDim.map(String.init) ?? "—") (\(hiddenDimSource))")
        lines.append("rows: A \(rowsA), B \(rowsB); columns: A \(columnsA), B \(columnsB), shared \(sharedColumns)"
            + (requiredColumns.map { " (need ≥ \($0))" } ?? ""))
        if let c = cliffRatioA { lines.append("A's cliff σ_d/σ_(d+1): \(f(c))") }
        if excess != nil {
            lines.append("residual outside A's image, RMS per entry: B \(f(residualRMSB)), A held-out \(f(residualRMSHeldOutA)) (floor \(f(residualRMSFloor)))")
            lines.append("B's own noise (tail beyond d): \(f(residualRMSNoiseB)); B's own hidden size: \(hiddenDimB.map(String.init) ?? "—")")
            lines.append("relative residual ‖B − BVVᵀ‖/‖B‖: B \(f(relativeResidualB)), A held-out \(f(relativeResidualHeldOutA))")
            lines.append("excess: \(f(excess)) (same ≤ \(f(sameThreshold)), different ≥ \(f(differentThreshold)))")
        }
        if !principalAnglesDegrees.isEmpty {
            let shown = principalAnglesDegrees.prefix(5).map { Self.format($0) }.joined(separator: ", ")
            lines.append("principal angles (°) B vs A, smallest: \(shown)\(principalAnglesDegrees.count > 5 ? ", …" : ""); largest \(f(principalAnglesDegrees.last))")
            if let s = strongDirectionsB {
                lines.append("B's strong directions: \(s); largest angle among them: \(f(maxAngleStrongDegrees))°")
            }
        }
        for r in reasons.dropFirst() { lines.append("note: \(r)") }
        return lines.joined(separator: "\n")
    }
}
