import Tensors

/// The keys and values a causal model has computed so far, per layer, as transformers'
/// `DynamicCache`: each step appends its new positions along the sequence axis, so the next
/// step attends to everything before it without recomputing it.
public final class KeyValueCache {
    /// Per layer: keys and values `[batch, kvHeads, cached, headSize]`, nil until first written.
    public private(set) var keys: [Tensor?]
    public private(set) var values: [Tensor?]

    /// An empty cache for `layers` layers.
    public init(layers: Int) {
        keys = Array(repeating: nil, count: layers)
        values = Array(repeating: nil, count: layers)
    }

    /// The number of layers it holds slots for.
    public var layerCount: Int { keys.count }

    /// The number of positions cached (layer 0's), 0 when empty.
    public var sequenceLength: Int { keys.first.flatMap { $0?.shape[2] } ?? 0 }

    /// Appends `key` and `value` (`[batch, kvHeads, new, headSize]`) to layer `layer` and returns
    /// the layer's full keys and values, old positions first.
    public func update(layer: Int, key: Tensor, value: Tensor) throws -> (keys: Tensor, values: Tensor) {
        guard layer >= 0 && layer < keys.count else {
            throw ModelError.invalidInput("past_key_values has \(keys.count) layers; layer \(layer) does not exist")
        }
        if let oldKeys = keys[layer], let oldValues = values[layer] {
            guard oldKeys.shape[0] == key.shape[0], oldKeys.shape[1] == key.shape[1], oldKeys.shape[3] == key.shape[3] else {
                throw ModelError.shapeMismatch("past_key_values layer \(layer) holds keys \(oldKeys.shape.shapeString), which new keys \(key.shape.shapeString) cannot extend")
            }
            keys[layer] = try Tensor.cat([oldKeys, key], dim: 2)
            values[layer] = try Tensor.cat([oldValues, value], dim: 2)
        } else {
            keys[layer] = key.contiguous()
            values[layer] = value.contiguous()
        }
        return (keys[layer]!, values[layer]!)
    }

    /// Keeps only the first `length` positions (for beam search and assisted decoding).
    public func crop(to length: Int) throws {
        for i in keys.indices {
            if let k = keys[i], k.shape[2] > length { keys[i] = try k.slice(2, start: 0, end: length).contiguous() }
            if let v = values[i], v.shape[2] > length { values[i] = try v.slice(2, start: 0, end: length).contiguous() }
        }
    }

    /// Reorders the batch rows (beam search): row i becomes old row `rows[i]`.
    public func reorder(rows: Tensor) throws {
        for i in keys.indices {
            if let k = keys[i] { keys[i] = try k.indexSelect(dim: 0, index: rows) }
            if let v = values[i] { values[i] = try v.indexSelect(dim: 0, index: rows) }
        }
    }
}
