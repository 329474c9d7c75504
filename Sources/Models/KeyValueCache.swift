import Foundation
import Tensors

/// The keys and values a causal model has computed so far, per layer, as transformers'
/// `DynamicCache`: each step appends its new positions along the sequence axis, so the next
/// step attends to everything before it without recomputing it.
///
/// Each layer's positions live in a buffer with spare capacity (`[batch, kvHeads, capacity,
/// headSize]`), so appending one decoded token writes one row per head instead of copying the
/// whole cache; the buffer doubles when full. `keys`/`values` and what `update` returns are
/// views of the filled part. As in transformers, the cache is changed in place: views handed
/// out earlier see later `crop`s and rewrites of positions they cover.
public final class KeyValueCache {
    private var keyBuffers: [Tensor?]
    private var valueBuffers: [Tensor?]
    private var lengths: [Int]

    /// An empty cache for `layers` layers.
    public init(layers: Int) {
        keyBuffers = Array(repeating: nil, count: layers)
        valueBuffers = Array(repeating: nil, count: layers)
        lengths = Array(repeating: 0, count: layers)
    }

    /// The number of layers it holds slots for.
    public var layerCount: Int { keyBuffers.count }

    /// The number of positions cached (layer 0's), 0 when empty.
    public var sequenceLength: Int { lengths.first ?? 0 }

    /// Per layer: keys `[batch, kvHeads, cached, headSize]`, nil until first written.
    public var keys: [Tensor?] { keyBuffers.indices.map { filled(keyBuffers[$0], $0) } }
    /// Per layer: values `[batch, kvHeads, cached, headSize]`, nil until first written.
    public var values: [Tensor?] { valueBuffers.indices.map { filled(valueBuffers[$0], $0) } }

    /// The batch size of the cached rows, nil when nothing is cached.
    public var batchSize: Int? { keyBuffers.first.flatMap { $0?.shape[0] } }

    /// Positions layer `layer` can hold before its buffer must grow.
    public func capacity(layer: Int) -> Int { keyBuffers[layer]?.shape[2] ?? 0 }

    private func filled(_ buffer: Tensor?, _ layer: Int) -> Tensor? {
        guard let buffer else { return nil }
        return try? buffer.slice(2, start: 0, end: lengths[layer])
    }

    /// Appends `key` and `value` (`[batch, kvHeads, new, headSize]`) to layer `layer` and returns
    /// the layer's full keys and values, old positions first.
    ///
    /// Without grad recording the result is a view of the cache's buffer. When grad is recorded
    /// and the new keys carry it, the result is built from `key` itself (concatenated after the
    /// cached positions), so a training step still reaches the projections through the cache.
    public func update(layer: Int, key: Tensor, value: Tensor) throws -> (keys: Tensor, values: Tensor) {
        guard layer >= 0 && layer < keyBuffers.count else {
            throw ModelError.invalidInput("past_key_values has \(keyBuffers.count) layers; layer \(layer) does not exist")
        }
        guard key.rank == 4, value.shape == key.shape else {
            throw ModelError.shapeMismatch("past_key_values layer \(layer): keys \(key.shape.shapeString) and values \(value.shape.shapeString) must both be [batch, kv_heads, positions, head_dim]")
        }
        let (batch, heads, new, size) = (key.shape[0], key.shape[1], key.shape[2], key.shape[3])
        let past = lengths[layer]
        if let buffer = keyBuffers[layer] {
            guard buffer.shape[0] == batch, buffer.shape[1] == heads, buffer.shape[3] == size else {
                throw ModelError.shapeMismatch("past_key_values layer \(layer) holds keys [\(buffer.shape[0]), \(buffer.shape[1]), \(past), \(buffer.shape[3])], which new keys \(key.shape.shapeString) cannot extend")
            }
        }
        let needed = past + new
        if capacity(layer: layer) < needed {
            // Room for as many positions again: decoding after a prefill of n tokens copies
            // nothing for the next n steps, and growth stays amortised O(1) per position.
            let capacity = max(needed * 2, 16)
            keyBuffers[layer] = grown(keyBuffers[layer], past: past, to: capacity, batch: batch, heads: heads, size: size)
            valueBuffers[layer] = grown(valueBuffers[layer], past: past, to: capacity, batch: batch, heads: heads, size: size)
        }
        guard let keyBuffer = keyBuffers[layer], let valueBuffer = valueBuffers[layer] else {
            throw ModelError.invalidInput("past_key_values layer \(layer) could not be allocated")
        }
        let newKeys = try key.to(.float32).contiguous(), newValues = try value.to(.float32).contiguous()
        write(newKeys, into: keyBuffer, at: past)
        write(newValues, into: valueBuffer, at: past)
        lengths[layer] = needed

        if GradMode.isEnabled && (key.requiresGrad || value.requiresGrad) {
            if past == 0 { return (key, value) }
            let oldKeys = try keyBuffer.slice(2, start: 0, end: past), oldValues = try valueBuffer.slice(2, start: 0, end: past)
            return (try Tensor.cat([oldKeys, key], dim: 2), try Tensor.cat([oldValues, value], dim: 2))
        }
        return (try keyBuffer.slice(2, start: 0, end: needed), try valueBuffer.slice(2, start: 0, end: needed))
    }

    /// A buffer of `capacity` positions holding the first `past` positions of `old`.
    private func grown(_ old: Tensor?, past: Int, to capacity: Int, batch: Int, heads: Int, size: Int) -> Tensor {
        let buffer = Tensor(zeros: [batch, heads, capacity, size])
        if let old, past > 0 {
            let oldCapacity = old.shape[2]
            withExtendedLifetime((old, buffer)) {
                let source = old.floatPointer, target = buffer.floatPointer
                for row in 0..<(batch * heads) {
                    (target + row * capacity * size).update(from: source + row * oldCapacity * size, count: past * size)
                }
            }
        }
        return buffer
    }

    /// Copies contiguous `[batch, heads, new, size]` rows into `buffer` from position `start`.
    private func write(_ rows: Tensor, into buffer: Tensor, at start: Int) {
        let (batch, heads, new, size) = (rows.shape[0], rows.shape[1], rows.shape[2], rows.shape[3])
        let capacity = buffer.shape[2]
        withExtendedLifetime((rows, buffer)) {
            let source = rows.floatPointer, target = buffer.floatPointer
            for row in 0..<(batch * heads) {
                (target + (row * capacity + start) * size).update(from: source + row * new * size, count: new * size)
            }
        }
    }

    /// Keeps only the first `length` positions (for beam search and assisted decoding).
    public func crop(to length: Int) throws {
        guard length >= 0 else { throw ModelError.invalidInput("past_key_values cannot be cropped to \(length) positions") }
        for i in lengths.indices { lengths[i] = min(lengths[i], length) }
    }

    /// Reorders the batch rows (beam search): row i becomes old row `rows[i]`.
    public func reorder(rows: Tensor) throws {
        for i in keyBuffers.indices {
            if let k = keyBuffers[i] { keyBuffers[i] = try k.indexSelect(dim: 0, index: rows).contiguous() }
            if let v = valueBuffers[i] { valueBuffers[i] = try v.indexSelect(dim: 0, index: rows).contiguous() }
        }
    }
}
