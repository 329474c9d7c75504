import Foundation
import Tensors

/// A block that maps one tensor to another; layers stacked in a `Sequential` adopt it.
public protocol Layer: Module {
    func callAsFunction(_ input: Tensor) throws -> Tensor
}

/// `y = x W^T + b` (torch.nn.Linear), initialised as torch does: uniform in ±1/sqrt(inFeatures).
public final class Linear: Module, Layer {
    public var weight: Tensor
    public var bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: Generator? = nil) throws {
        let bound = 1 / Double(max(inFeatures, 1)).squareRoot()
        weight = try Tensor.uniform([outFeatures, inFeatures], low: -bound, high: bound, generator: generator).requiringGrad()
        self.bias = bias ? try Tensor.uniform([outFeatures], low: -bound, high: bound, generator: generator).requiringGrad() : nil
        super.init()
    }

    /// A layer around existing tensors (a checkpoint's): `weight` is `[out, in]`, `bias` `[out]`.
    public init(weight: Tensor, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
        super.init()
    }

    /// `input @ weight^T + bias`. Outside autograd a few rows (a sentence, a generated token)
    /// are multiplied without BLAS (`Tensor.linear(weight:bias:activation:)`).
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.linear(weight: weight, bias: bias, activation: nil)
    }

    /// `activation(self(input))`, with gelu, relu and silu applied in the product's own output
    /// buffer (one pass fewer over a feed-forward expansion).
    public func callAsFunction(_ input: Tensor, activation: Activation) throws -> Tensor {
        let pointwise: Tensor.PointwiseActivation
        switch activation.kind {
        case .gelu: pointwise = .gelu
        case .geluTanh: pointwise = .geluTanh
        case .relu: pointwise = .relu
        case .silu: pointwise = .silu
        case .tanh, .sigmoid: return try activation(self(input))
        }
        return try input.linear(weight: weight, bias: bias, activation: pointwise)
    }

    /// Layers equal to `layers` (same input size, all with or all without bias) whose weights
    /// and biases are consecutive row blocks of one new buffer, so that `packedParameters` can
    /// run them as one product. Layers it cannot pack (other dtypes, mixed bias) come back as is.
    public static func packedRows(_ layers: [Linear]) throws -> [Linear] {
        guard let first = layers.first else { return layers }
        let inFeatures = first.weight.shape.last ?? 0
        let withBias = first.bias != nil
        guard layers.allSatisfy({ $0.weight.rank == 2 && $0.weight.shape[1] == inFeatures && $0.weight.dtype == .float32
                                  && ($0.bias != nil) == withBias && ($0.bias?.dtype ?? .float32) == .float32 }) else { return layers }
        let outs = layers.map { $0.weight.shape[0] }
        let weights = Tensor(uninitialized: [outs.reduce(0, +), inFeatures], dtype: .float32)
        let biases = withBias ? Tensor(uninitialized: [outs.reduce(0, +)], dtype: .float32) : nil
        var start = 0
        return try zip(layers, outs).map { layer, out in
            defer { start += out }
            let w = try weights.slice(0, start: start, end: start + out)
            try withNoGrad { try w.copy(from: layer.weight) }
            w.requiresGrad = layer.weight.requiresGrad
            var b: Tensor?
            if let biases, let bias = layer.bias {
                b = try biases.slice(0, start: start, end: start + out)
                try withNoGrad { try b!.copy(from: bias) }
                b!.requiresGrad = bias.requiresGrad
            }
            return Linear(weight: w, bias: b)
        }
    }

    /// The weight `[sum of outs, in]` and bias of `layers` as one layer, when their current
    /// parameters are still the consecutive blocks `packedRows` made (none replaced since) and
    /// no gradient needs recording through them; nil otherwise.
    public static func packedParameters(_ layers: [Linear]) -> (weight: Tensor, bias: Tensor?)? {
        guard let first = layers.first, first.weight.rank == 2, first.weight.isContiguous, first.weight.dtype == .float32 else { return nil }
        let inFeatures = first.weight.shape[1]
        guard inFeatures > 0 else { return nil }
        if GradMode.isEnabled && layers.contains(where: { $0.weight.requiresGrad || ($0.bias?.requiresGrad ?? false) }) { return nil }
        var weightEnd = first.weight.offset, biasEnd = first.bias?.offset ?? 0
        for layer in layers {
            let w = layer.weight
            guard w.storage === first.weight.storage, w.rank == 2, w.shape[1] == inFeatures, w.isContiguous,
                  w.dtype == .float32, w.offset == weightEnd else { return nil }
            weightEnd += w.count
            switch (first.bias, layer.bias) {
            case (nil, nil): break
            case let (firstBias?, bias?):
                guard bias.storage === firstBias.storage, bias.rank == 1, bias.count == w.shape[0], bias.isContiguous,
                      bias.dtype == .float32, bias.offset == biasEnd else { return nil }
                biasEnd += bias.count
            default: return nil
            }
        }
        let rows = (weightEnd - first.weight.offset) / Swift.max(inFeatures, 1)
        let weight = Tensor(storage: first.weight.storage, shape: [rows, inFeatures], offset: first.weight.offset, dtype: .float32)
        let bias = first.bias.map { Tensor(storage: $0.storage, shape: [rows], offset: $0.offset, dtype: .float32) }
        return (weight, bias)
    }
}

/// A lookup table of `count` vectors of size `dimension` (torch.nn.Embedding), N(0, 1) initialised;
/// the row at `paddingIndex` starts at zero.
public final class Embedding: Module, Layer {
    public var weight: Tensor
    public let paddingIndex: Int?

    public init(_ count: Int, _ dimension: Int, paddingIndex: Int? = nil, generator: Generator? = nil) throws {
        let table = try Tensor.normal([count, dimension], generator: generator)
        if let paddingIndex {
            guard (0..<count).contains(paddingIndex) else {
                throw TensorError.invalidArgument("padding_idx \(paddingIndex) must be within num_embeddings (\(count))")
            }
            try table.select(0, paddingIndex).copy(from: Tensor.zeros([dimension]))
        }
        weight = try table.requiringGrad()
        self.paddingIndex = paddingIndex
        super.init()
    }

    /// A table around an existing `[count, dimension]` tensor (a checkpoint's), not re-initialised.
    public init(weight: Tensor, paddingIndex: Int? = nil) {
        self.weight = weight
        self.paddingIndex = paddingIndex
        super.init()
    }

    public func callAsFunction(_ ids: Tensor) throws -> Tensor { try weight.embedding(ids) }
}

/// Layer normalisation over the trailing `normalizedShape` (torch.nn.LayerNorm).
public final class LayerNorm: Module, Layer {
    public var weight: Tensor?
    public var bias: Tensor?
    public let normalizedShape: [Int]
    public let eps: Double

    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) throws {
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? try Tensor.ones(normalizedShape).requiringGrad() : nil
        self.bias = elementwiseAffine && bias ? try Tensor.zeros(normalizedShape).requiringGrad() : nil
        super.init()
    }

    /// A normalisation around existing affine tensors (a checkpoint's); the normalised shape is the weight's.
    public init(weight: Tensor, bias: Tensor?, eps: Double) {
        normalizedShape = weight.shape
        self.eps = eps
        self.weight = weight
        self.bias = bias
        super.init()
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.layerNorm(normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps)
    }
}

/// Root-mean-square normalisation over the last dim with a learned scale (Llama's RMSNorm).
public final class RMSNorm: Module, Layer {
    public var weight: Tensor
    public let eps: Double

    public init(_ dimension: Int, eps: Double = 1e-6) throws {
        weight = try Tensor.ones([dimension]).requiringGrad()
        self.eps = eps
        super.init()
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.rmsNorm(weight: weight, eps: eps)
    }
}

/// Zeroes elements with probability `p` while training, scaling the rest by 1/(1-p).
public final class Dropout: Module, Layer {
    public let p: Double

    public init(_ p: Double = 0.5) throws {
        guard (0...1).contains(p) else {
            throw TensorError.invalidArgument("dropout probability has to be between 0 and 1, but got \(p)")
        }
        self.p = p
        super.init()
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.dropout(p: p, training: training)
    }

    /// Whether calling this layer changes anything (training with p > 0); fused inference
    /// paths that skip dropout check it.
    public var isActive: Bool { training && p > 0 }
}

/// An elementwise activation as a layer (GELU, ReLU, SiLU, Tanh).
public final class Activation: Module, Layer {
    public enum Kind: String, Sendable { case gelu, geluTanh, relu, silu, tanh, sigmoid }
    public let kind: Kind

    public init(_ kind: Kind) {
        self.kind = kind
        super.init()
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        switch kind {
        case .gelu: return try input.gelu()
        case .geluTanh: return try input.gelu(approximate: .tanh)
        case .relu: return try input.relu()
        case .silu: return try input.silu()
        case .tanh: return try input.tanh()
        case .sigmoid: return try input.sigmoid()
        }
    }
}

/// Layers applied in order, named by index (`0.weight`, `3.bias`) as torch.nn.Sequential.
public final class Sequential: Module, Layer {
    public var layers: [Layer]

    public init(_ layers: [Layer]) {
        self.layers = layers
        super.init()
    }

    public override func namedChildren() -> [(String, Module)] {
        layers.enumerated().map { (String($0.offset), $0.element as Module) }
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try layers.reduce(input) { try $1($0) }
    }
}
