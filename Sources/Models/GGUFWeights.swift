import Foundation
import Tensors

/// The tensors of a GGUF file under transformers' names, dequantized to float32 one tensor at a
/// time when the loader asks (nothing is cached: a caller holding the result owns the only
/// copy). `stored(_:)` gives the undecoded blocks and the rearrangement they need, for an
/// engine that keeps weights quantized.
public final class GGUFWeights: WeightSource {
    /// The open file.
    public let file: GGUFFile
    /// Every transformers name, in the file's tensor order.
    public let names: [String]
    private let entries: [String: Entry]

    struct Entry {
        let ggufName: String
        let transform: GGUFTensorTransform
        /// The shape transformers gives the tensor (after any transpose).
        let shape: [Int]
    }

    /// Maps `file`'s tensors for `modelType` (stored as `storedArchitecture`) with the config
    /// parsed from it; throws naming the file and tensor for a type that cannot be decoded or
    /// rows that cannot be un-permuted.
    init(file: GGUFFile, storedArchitecture: String, modelType: String, config: ModelConfig) throws {
        self.file = file
        let blocks = config[modelType == "gpt2" ? "n_layer" : "num_hidden_layers"]?.intValue ?? 0
        var names: [String] = [], entries: [String: Entry] = [:]
        for info in file.tensors {
            guard let hf = GGUFTensorNaming.hfName(info.name, modelType: modelType, blocks: blocks) else { continue }
            guard GGMLDequantization.supportedTypes.contains(info.type) else {
                throw ModelError.invalidWeights(
                    "\(file.path): tensor '\(info.name)' has ggml type \(info.type.name), which cannot be dequantized; supported types: \(GGMLDequantization.supportedTypes.map(\.name).joined(separator: ", "))")
            }
            let transform = GGUFTensorNaming.transform(info.name, storedArchitecture: storedArchitecture, config: config)
            var shape = info.shape
            switch transform {
            case .none: break
            case .transpose:
                guard shape.count == 2 else {
                    throw ModelError.invalidWeights("\(file.path): tensor '\(info.name)' should be a matrix, but has shape \(shape.shapeString)")
                }
                shape.reverse()
            case .unpermuteRows(let heads):
                guard let rows = shape.first, heads > 0, rows % (2 * heads) == 0 else {
                    throw ModelError.invalidWeights(
                        "\(file.path): tensor '\(info.name)' has shape \(shape.shapeString), whose rows cannot be split into \(heads) heads of rotary pairs")
                }
            }
            if entries.updateValue(Entry(ggufName: info.name, transform: transform, shape: shape), forKey: hf) == nil {
                names.append(hf)
            }
        }
        self.names = names
        self.entries = entries
    }

    public var paths: [String] { [file.path] }
    public func contains(_ name: String) -> Bool { entries[name] != nil }
    public func shape(of name: String) -> [Int]? { entries[name]?.shape }
    public func path(of name: String) -> String? { entries[name] == nil ? nil : file.path }

    /// The GGUF name a transformers name is stored under.
    public func ggufName(of name: String) -> String? { entries[name]?.ggufName }

    /// The stored blocks of `name` and the rearrangement transformers applies after decoding.
    public func stored(_ name: String) throws -> (tensor: QuantizedTensor, transform: GGUFTensorTransform) {
        guard let entry = entries[name] else {
            throw ModelError.invalidWeights("\(file.path) has no tensor that transformers calls '\(name)'")
        }
        do { return (try file.quantizedTensor(named: entry.ggufName), entry.transform) }
        catch { throw ModelError.invalidWeights("\(error)") }
    }

    /// The tensor `name` as float32, decoded and rearranged as transformers loads it.
    public func rawTensor(_ name: String) throws -> Tensor {
        let (quantized, transform) = try stored(name)
        let decoded: Tensor
        do { decoded = try quantized.dequantized() }
        catch { throw ModelError.invalidWeights("\(error)") }
        let result: Tensor
        switch transform {
        case .none: result = decoded
        case .transpose: return try decoded.transpose(0, 1).contiguous()
        case .unpermuteRows(let heads): result = GGUFWeights.unpermuteRows(decoded, heads: heads)
        }
        if keepsBlocks, BlockMatrix.supports(quantized.type), quantized.shape.count == 2 {
            // Few-row products (decoding) read the blocks instead of the float32 copy.
            var order: [Int]? = nil
            if case .unpermuteRows(let heads) = transform { order = GGUFWeights.unpermutedOrder(rows: quantized.shape[0], heads: heads) }
            do { try result.attachBlocks(try BlockMatrix(quantized, rowOrder: order)) }
            catch { throw ModelError.invalidWeights("\(error)") }
        }
        return result
    }

    /// Whether loaded matrices keep their Q4_0/Q4_1/Q8_0 blocks for few-row products (on by
    /// default; `APUS_GGUF_BLOCKS=0` loads float32 only).
    public var keepsBlocks = ProcessInfo.processInfo.environment["APUS_GGUF_BLOCKS"] != "0"

    /// Which stored row each output row of `unpermuteRows` takes.
    static func unpermutedOrder(rows: Int, heads: Int) -> [Int] {
        let half = rows / heads / 2
        var order = [Int](repeating: 0, count: rows)
        for h in 0..<heads {
            let base = h * 2 * half
            for i in 0..<half {
                for j in 0..<2 { order[base + j * half + i] = base + 2 * i + j }
            }
        }
        return order
    }

    /// Undoes llama.cpp's rotary row order: within each head's 2·half rows, row `2i + j` moves
    /// to `j·half + i` (transformers' `_reverse_permute_weights`).
    static func unpermuteRows(_ t: Tensor, heads: Int) -> Tensor {
        let rows = t.shape.first ?? 1, width = t.count / max(rows, 1)
        let out = Tensor(uninitialized: t.shape, dtype: .float32)
        let src = t.floatPointer, dst = out.floatPointer
        for (row, stored) in unpermutedOrder(rows: rows, heads: heads).enumerated() {
            (dst + row * width).update(from: src + stored * width, count: width)
        }
        return out
    }
}
