import Foundation

/// What went wrong in a tensor operation, with the shapes, dtypes or values involved.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    /// Shapes that cannot be combined: the operation and every shape involved.
    case shapeMismatch(String)
    /// A dimension outside `-rank..<rank`.
    case invalidDimension(dim: Int, rank: Int, op: String)
    /// An index outside a dimension's size.
    case indexOutOfRange(String)
    /// A dtype the operation does not accept.
    case unsupportedDType(op: String, dtype: DType)
    /// Any other bad argument, described.
    case invalidArgument(String)
    /// A file that is missing, truncated or corrupt.
    case corruptFile(path: String, reason: String)
    case io(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let message): return message
        case .invalidDimension(let dim, let rank, let op):
            return "\(op): dimension out of range (expected to be in range of [\(-max(rank, 1)), \(max(rank, 1) - 1)], but got \(dim))"
        case .indexOutOfRange(let message): return message
        case .unsupportedDType(let op, let dtype): return "\(op): not implemented for dtype \(dtype)"
        case .invalidArgument(let message): return message
        case .corruptFile(let path, let reason): return "\(path): \(reason)"
        case .io(let message): return message
        }
    }

    /// The Python exception a script sees for this error.
    public var pythonExceptionName: String {
        switch self {
        case .indexOutOfRange, .invalidDimension: return "IndexError"
        case .unsupportedDType: return "TypeError"
        case .corruptFile, .io: return "OSError"
        default: return "RuntimeError"
        }
    }
}

extension TensorError: LocalizedError {
    public var errorDescription: String? { description }
}
