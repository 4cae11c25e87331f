/// Why records could not be assembled into a sample matrix. Each message says what to do about it.
public enum AssembleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Responses of several models in one run; `counts` is model → records.
    case mixedModels(counts: [String: Int])
    /// `--model` named a model that no record has.
    case modelNotFound(String, available: [String: Int])
    /// Nothing usable: every record was skipped or the complete block is empty. `detail` lists why.
    case noUsableData(detail: String)

    public var description: String {
        switch self {
        case .mixedModels(let counts):
            return "responses from \(counts.count) different models in one run ("
                + Self.list(counts) + "); pass --model NAME to use one of them"
        case .modelNotFound(let name, let available):
            return "no responses from model \"\(name)\"; the logs contain " + (available.isEmpty ? "no model names" : Self.list(available))
        case .noUsableData(let detail):
            return "no usable log-probabilities: \(detail)"
        }
    }

    static func list(_ counts: [String: Int], unit: String = " records") -> String {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key): \($0.value)\(unit)" }.joined(separator: ", ")
    }
}
