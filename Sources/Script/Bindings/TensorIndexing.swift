import Foundation
import Tensors

/// `tensor[key]` and `tensor[key] = value` as torch does them. Ints, slices, None and `...`
/// give views sharing storage (so assignment through them writes the tensor); one bool
/// mask or one integer index (list or tensor) per subscript selects copies.
enum TensorIndexing {
    /// One component of a subscript.
    enum Component {
        case int(Int)
        case slice(PySlice)
        case newAxis
        case ellipsis
        /// An integer index tensor (a list becomes one).
        case indices(Tensor)
        /// A bool mask over the next `mask.rank` dims.
        case mask(Tensor)

        /// How many dims of the indexed tensor the component consumes.
        var consumed: Int {
            switch self {
            case .int, .slice, .indices: return 1
            case .newAxis, .ellipsis: return 0
            case .mask(let m): return m.rank
            }
        }
    }

    static func components(_ key: Value) throws -> [Component] {
        var items: [Value] = [key]
        if case .obj(let o) = key, let t = o as? PyTuple { items = t.items }
        return try items.map { v in
            switch v {
            case .int(let i): return .int(i)
            case .bool(let b): return .mask(Tensor.boolScalar(b))
            case .none: return .newAxis
            case .obj(let o):
                if let s = o as? PySlice { return .slice(s) }
                if o === Builtins.ellipsis { return .ellipsis }
                if o is PyList {
                    let t = try Conversions.tensor(from: v, dtype: nil)
                    return t.dtype == .bool ? .mask(t) : .indices(t)
                }
                if let t = ScriptBridge.unwrap(v, as: Tensor.self) {
                    if t.dtype == .bool || t.dtype == .uint8 { return .mask(try t.to(.bool)) }
                    guard t.dtype.isIntegral else {
                        throw ScriptBridge.error("IndexError", "tensors used as indices must be long, int, byte or bool tensors")
                    }
                    if t.rank == 0 { return .int(Int(try t.item())) }
                    return .indices(t)
                }
            default: break
            }
            throw ScriptBridge.error("IndexError", "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got \(Interp.typeName(v)))")
        }
    }

    /// Replaces `...` by as many full slices as the tensor has unindexed dims.
    static func expandEllipsis(_ parts: [Component], rank: Int) throws -> [Component] {
        let used = parts.reduce(0) { $0 + $1.consumed }
        let ellipses = parts.filter { if case .ellipsis = $0 { return true }; return false }.count
        if ellipses > 1 { throw ScriptBridge.error("IndexError", "an index can only have a single ellipsis ('...')") }
        if used > rank {
            throw ScriptBridge.error("IndexError", "too many indices for tensor of dimension \(rank)")
        }
        let full = Component.slice(PySlice(.none, .none, .none))
        var out: [Component] = []
        for p in parts {
            if case .ellipsis = p { out.append(contentsOf: Array(repeating: full, count: rank - used)) } else { out.append(p) }
        }
        return out
    }

    /// The indexed tensor.
    static func get(_ t: Tensor, _ key: Value) throws -> Tensor {
        let parts = try expandEllipsis(try components(key), rank: t.rank)
        let advanced = parts.filter { if case .indices = $0 { return true }; if case .mask = $0 { return true }; return false }.count
        if advanced > 1 { return try multiIndex(t, parts) }
        var out = t
        var dim = 0
        var sourceDim = 0   // the dim of `t` being indexed, for messages
        for p in parts {
            defer { sourceDim += p.consumed }
            switch p {
            case .int(let i):
                let size = out.shape[dim]
                guard i >= -size && i < size else {
                    throw ScriptBridge.error("IndexError", "index \(i) is out of bounds for dimension \(sourceDim) with size \(size)")
                }
                out = try out.select(dim, i < 0 ? i + size : i)
            case .slice(let s):
                let (start, _, step, count) = try Interp.sliceIndices(s, out.shape[dim])
                guard step > 0 else { throw ScriptBridge.error("ValueError", "step must be greater than zero") }
                out = try out.slice(dim, start: start, end: count == 0 ? start : start + (count - 1) * step + 1, step: step)
                dim += 1
            case .newAxis:
                out = try out.unsqueeze(dim)
                dim += 1
            case .ellipsis:
                break
            case .indices(let idx):
                let size = out.shape[dim]
                let flat = idx.toInt64Array().map { Int($0) }
                if let bad = flat.first(where: { $0 < -size || $0 >= size }) {
                    throw ScriptBridge.error("IndexError", "index \(bad) is out of bounds for dimension \(sourceDim) with size \(size)")
                }
                let normalized = try Tensor(int64: flat.map { Int64($0 < 0 ? $0 + size : $0) }, shape: [flat.count])
                let picked = try out.indexSelect(dim: dim, index: normalized)
                out = try picked.reshape(Array(out.shape[..<dim]) + idx.shape + Array(out.shape[(dim + 1)...]))
                dim += idx.rank
            case .mask(let m):
                let covered = Array(out.shape[dim..<(dim + m.rank)])
                guard covered == m.shape else {
                    throw ScriptBridge.error("IndexError", "The shape of the mask \(m.shape.shapeString) at index \(dim) does not match the shape of the indexed tensor \(covered.shapeString) at index \(dim)")
                }
                let chosen = m.toInt64Array().enumerated().compactMap { $0.element != 0 ? Int64($0.offset) : nil }
                let merged = try out.reshape(Array(out.shape[..<dim]) + [m.count] + Array(out.shape[(dim + m.rank)...]))
                out = try merged.indexSelect(dim: dim, index: try Tensor(int64: chosen, shape: [chosen.count]))
                dim += 1
            }
        }
        return out
    }

    /// Several index tensors (or masks) in one subscript: they broadcast together and pick
    /// one element per position, as torch's advanced indexing. Their dims go where the first
    /// one stood when they are adjacent, else in front.
    static func multiIndex(_ t: Tensor, _ parts: [Component]) throws -> Tensor {
        var basic: [Component] = []
        var positions: [Int] = []
        var indices: [Tensor] = []
        var outDim = 0
        let full = Component.slice(PySlice(.none, .none, .none))
        for p in parts {
            switch p {
            case .int: basic.append(p)
            case .slice, .newAxis: basic.append(p); outDim += 1
            case .ellipsis: break
            case .indices(let idx):
                basic.append(full); positions.append(outDim); indices.append(idx); outDim += 1
            case .mask(let m):
                // A mask stands for the coordinates of its True elements, one index per dim.
                let chosen = m.toInt64Array().enumerated().filter { $0.element != 0 }.map { $0.offset }
                var coordinates = [[Int64]](repeating: [], count: m.rank)
                for flat in chosen {
                    var rest = flat
                    for d in stride(from: m.rank - 1, through: 0, by: -1) {
                        coordinates[d].append(Int64(rest % m.shape[d])); rest /= m.shape[d]
                    }
                }
                for d in 0..<m.rank {
                    basic.append(full); positions.append(outDim)
                    indices.append(try Tensor(int64: coordinates[d], shape: [chosen.count])); outDim += 1
                }
            }
        }
        let base = try get(t, keyValue(basic))
        var broadcast: [Int] = []
        for idx in indices { broadcast = try Tensor.broadcastShapes(broadcast, idx.shape, op: "index") }
        let count = broadcast.reduce(1, *)
        var linear = [Int64](repeating: 0, count: count)
        for (i, idx) in indices.enumerated() {
            let size = base.shape[positions[i]]
            let values = try idx.expand(broadcast).contiguous().toInt64Array()
            let later = positions[(i + 1)...].map { base.shape[$0] }.reduce(1, *)
            for j in 0..<count {
                let v = Int(values[j])
                guard v >= -size && v < size else {
                    throw ScriptBridge.error("IndexError", "index \(v) is out of bounds for dimension \(positions[i]) with size \(size)")
                }
                linear[j] += Int64((v < 0 ? v + size : v) * later)
            }
        }
        let others = (0..<base.rank).filter { !positions.contains($0) }
        let advancedSize = positions.map { base.shape[$0] }.reduce(1, *)
        let rows = try base.permute(positions + others).reshape([advancedSize] + others.map { base.shape[$0] })
        var out = try rows.indexSelect(dim: 0, index: try Tensor(int64: linear, shape: [count]))
        out = try out.reshape(broadcast + others.map { base.shape[$0] })
        let adjacent = zip(positions, positions.dropFirst()).allSatisfy { $1 == $0 + 1 }
        if adjacent, let first = positions.first, first > 0 {
            let b = broadcast.count
            out = try out.permute(Array(b..<(b + first)) + Array(0..<b) + Array((b + first)..<out.rank))
        }
        return out
    }

    /// Writes `value` (a tensor or number, broadcast) into the elements `key` selects.
    static func set(_ t: Tensor, _ key: Value, _ value: Value) throws {
        let source: Tensor
        if let v = ScriptBridge.unwrap(value, as: Tensor.self) { source = v }
        else if case .obj(let o) = value, o is PyList || o is PyTuple { source = try Conversions.tensor(from: value, dtype: t.dtype) }
        else { source = Tensor.scalar(try ScriptBridge.double(value), like: t) }
        let parts = try expandEllipsis(try components(key), rank: t.rank)
        guard let k = parts.firstIndex(where: { if case .indices = $0 { return true }; if case .mask = $0 { return true }; return false }) else {
            try get(t, key).copy(from: source)
            return
        }
        // Advanced: write slice by slice, each through a basic (view) index.
        let advancedCount = parts.filter { if case .indices = $0 { return true }; if case .mask = $0 { return true }; return false }.count
        guard advancedCount == 1 else {
            throw ScriptBridge.error("IndexError", "assignment through several index tensors in one subscript is not supported")
        }
        let selected = try get(t, key)
        let expanded = try source.to(t.dtype).expand(selected.shape)
        var indexList: [Int] = []
        var selectedDim = 0
        for p in parts[..<k] {
            switch p { case .slice, .newAxis: selectedDim += 1; default: break }
        }
        var dimInT = 0
        for p in parts[..<k] { dimInT += p.consumed }
        switch parts[k] {
        case .indices(let idx):
            guard idx.rank == 1 else { throw ScriptBridge.error("IndexError", "assignment through a multi-dimensional index tensor is not supported") }
            indexList = idx.toInt64Array().map { Int($0) }
        case .mask(let m):
            if m.rank > 1 {
                // A mask over several dims: a blend of the value and the old contents.
                guard k == 0, m.shape == Array(t.shape.prefix(m.rank)) else {
                    throw ScriptBridge.error("IndexError", "assignment through this mask is not supported")
                }
                let filled = source.rank == 0 ? try Tensor.where(m.reshape(m.shape + Array(repeating: 1, count: t.rank - m.rank)), try source.to(t.dtype).expand(t.shape), t)
                    : nil
                guard let f = filled else { throw ScriptBridge.error("IndexError", "assignment of a tensor through a multi-dimensional mask is not supported") }
                try t.copy(from: f)
                return
            }
            indexList = m.toInt64Array().enumerated().compactMap { $0.element != 0 ? $0.offset : nil }
        default: break
        }
        let size = t.shape.count > dimInT ? t.shape[dimInT] : 0
        var itemParts = parts
        for (position, index) in indexList.enumerated() {
            itemParts[k] = .int(index < 0 ? index + size : index)
            let view = try get(t, keyValue(itemParts))
            try view.copy(from: try expanded.select(selectedDim, position))
        }
    }

    /// A subscript value rebuilt from components (used to address one slice at a time).
    static func keyValue(_ parts: [Component]) -> Value {
        .tuple(parts.map { p in
            switch p {
            case .int(let i): return .int(i)
            case .slice(let s): return .obj(s)
            case .newAxis: return .none
            case .ellipsis: return .obj(Builtins.ellipsis)
            case .indices(let t), .mask(let t): return ScriptBridge.wrap(t)
            }
        })
    }
}
