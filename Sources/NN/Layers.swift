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

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.linear(weight: weight, bias: bias)
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
