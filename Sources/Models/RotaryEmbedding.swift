import Foundation
import Tensors

/// How a model rotates queries and keys by position (RoPE), read from config.json in either
/// spelling: transformers 5's `rope_parameters` object, or 4.x's `rope_theta` with an optional
/// `rope_scaling` object (whose type key may be `type` or `rope_type`), as
/// `standardize_rope_params` reconciles them.
public struct RopeParameters {
    /// The scaling scheme: `default`, `linear`, `dynamic`, `llama3` or `yarn`.
    public let type: String
    /// The base wavelength (`rope_theta`).
    public let theta: Double
    /// The scaling factor (linear, dynamic, llama3, yarn).
    public let factor: Double?
    /// Everything else the scheme reads (`low_freq_factor`, `beta_fast`, ...), by key.
    public let extra: [(String, ConfigValue)]
    /// The pre-training context length (llama3, yarn).
    public let originalMaxPositionEmbeddings: Int?

    static let types = ["default", "linear", "dynamic", "llama3", "yarn"]

    /// The parameters of `config`; throws naming the key for an unsupported type or a
    /// missing factor.
    public init(_ config: ModelConfig) throws {
        let source = config.source
        var object: [(String, ConfigValue)] = []
        for key in ["rope_parameters", "rope_scaling"] {
            guard let value = config[key], !value.isNull else { continue }
            guard let pairs = value.objectValue else { throw ModelError.invalidConfig("\(source): '\(key)' must be an object, got \(value)") }
            object = pairs
            break
        }
        func value(_ key: String) -> ConfigValue? {
            guard let v = object.first(where: { $0.0 == key })?.1, !v.isNull else { return nil }
            return v
        }
        func number(_ key: String) throws -> Double? {
            guard let v = value(key) else { return nil }
            guard let d = v.doubleValue else { throw ModelError.invalidConfig("\(source): rope parameter '\(key)' must be a number, got \(v)") }
            return d
        }
        let kind = value("rope_type")?.stringValue ?? value("type")?.stringValue ?? "default"
        guard RopeParameters.types.contains(kind) else {
            throw ModelError.invalidConfig("\(source): rope type '\(kind)' is not supported; supported: \(RopeParameters.types.joined(separator: ", "))")
        }
        type = kind
        theta = try number("rope_theta") ?? config.optionalDouble("rope_theta") ?? 10000
        factor = try number("factor")
        if let partial = try number("partial_rotary_factor") ?? config.optionalDouble("partial_rotary_factor"), partial != 1 {
            throw ModelError.invalidConfig("\(source): partial_rotary_factor \(partial) is not supported (the rotation covers the whole head)")
        }
        if ["llama3", "yarn"].contains(kind) {
            // A top-level original_max_position_embeddings wins, as in standardize_rope_params.
            originalMaxPositionEmbeddings = try config.optionalInt("original_max_position_embeddings")
                ?? (try number("original_max_position_embeddings")).map { Int($0) }
                ?? config.maxPositionEmbeddings
        } else {
            originalMaxPositionEmbeddings = nil
        }
        if ["linear", "dynamic", "llama3"].contains(kind), factor == nil {
            throw ModelError.invalidConfig("\(source): rope type '\(kind)' needs a 'factor'")
        }
        if kind == "llama3" {
            for key in ["low_freq_factor", "high_freq_factor"] where try number(key) == nil {
                throw ModelError.invalidConfig("\(source): rope type 'llama3' needs '\(key)'")
            }
        }
        extra = object
    }

    /// The number stored under `key`, if any.
    func number(_ key: String) -> Double? { extra.first { $0.0 == key }?.1.doubleValue }
}

/// The rotary position embedding of the Llama family (LlamaRotaryEmbedding): inverse
/// frequencies from the RoPE parameters, cos/sin per position, and the rotation itself.
///
/// `dynamic` scaling is stateful as in transformers: a batch reaching past the cached length
/// recomputes the frequencies for that length and keeps them until a batch shorter than
/// `max_position_embeddings` resets them.
public final class RotaryEmbedding {
    /// The scheme and its numbers, as read from the config.
    public let parameters: RopeParameters
    /// The rotated size: the head size.
    public let dimension: Int
    let maxPositionEmbeddings: Int
    /// The current inverse frequencies (dimension / 2) and the factor cos/sin are scaled by.
    public private(set) var inverseFrequencies: [Float]
    public private(set) var attentionScaling: Double
    private let originalInverseFrequencies: [Float]
    private var maxSequenceLengthCached: Int

    /// The embedding for heads of size `dimension` (even) under `parameters`.
    public init(_ parameters: RopeParameters, dimension: Int, maxPositionEmbeddings: Int) throws {
        guard dimension > 0, dimension % 2 == 0 else {
            throw ModelError.invalidConfig("rotary embeddings need an even head size, got \(dimension)")
        }
        self.parameters = parameters
        self.dimension = dimension
        self.maxPositionEmbeddings = maxPositionEmbeddings
        (inverseFrequencies, attentionScaling) = RotaryEmbedding.frequencies(parameters, dimension: dimension,
                                                                            maxPositionEmbeddings: maxPositionEmbeddings, sequenceLength: nil)
        originalInverseFrequencies = inverseFrequencies
        maxSequenceLengthCached = maxPositionEmbeddings
    }

    /// `theta^(-2i/dim)` for i in 0..<dim/2, in float32 as torch computes it.
    static func plainFrequencies(base: Double, dimension: Int) -> [Float] {
        stride(from: 0, to: dimension, by: 2).map { i in 1 / powf(Float(base), Float(i) / Float(dimension)) }
    }

    /// The inverse frequencies and attention scaling of each scheme (transformers'
    /// `_compute_*_parameters`).
    static func frequencies(_ p: RopeParameters, dimension dim: Int, maxPositionEmbeddings: Int,
                            sequenceLength: Int?) -> ([Float], Double) {
        let base = p.theta
        switch p.type {
        case "linear":
            let factor = Float(p.factor ?? 1)
            return (plainFrequencies(base: base, dimension: dim).map { $0 / factor }, 1)
        case "dynamic":
            let factor = p.factor ?? 1
            let length = Double(max(sequenceLength ?? maxPositionEmbeddings, maxPositionEmbeddings))
            let scaled = base * pow(factor * length / Double(maxPositionEmbeddings) - (factor - 1), Double(dim) / Double(dim - 2))
            return (plainFrequencies(base: scaled, dimension: dim), 1)
        case "llama3":
            let factor = Float(p.factor ?? 1)
            let low = Float(p.number("low_freq_factor") ?? 1), high = Float(p.number("high_freq_factor") ?? 4)
            let old = Float(p.originalMaxPositionEmbeddings ?? maxPositionEmbeddings)
            let lowWavelength = old / low, highWavelength = old / high
            let frequencies = plainFrequencies(base: base, dimension: dim).map { f -> Float in
                let wavelength = 2 * Float.pi / f
                let scaled = wavelength > lowWavelength ? f / factor : f
                let isMedium = !(wavelength < highWavelength) && !(wavelength > lowWavelength)
                guard isMedium else { return scaled }
                let smooth = (old / wavelength - low) / (high - low)
                return (1 - smooth) * scaled / factor + smooth * scaled
            }
            return (frequencies, 1)
        case "yarn":
            let original = Double(p.originalMaxPositionEmbeddings ?? maxPositionEmbeddings)
            let factor = p.factor ?? Double(maxPositionEmbeddings) / original
            func mscale(_ scale: Double, _ m: Double = 1) -> Double { scale <= 1 ? 1 : 0.1 * m * log(scale) + 1 }
            var attention = p.number("attention_factor")
            if attention == nil {
                if let m = p.number("mscale"), let all = p.number("mscale_all_dim"), m != 0, all != 0 {
                    attention = mscale(factor, m) / mscale(factor, all)
                } else {
                    attention = mscale(factor)
                }
            }
            let betaFast = p.number("beta_fast").flatMap { $0 == 0 ? nil : $0 } ?? 32
            let betaSlow = p.number("beta_slow").flatMap { $0 == 0 ? nil : $0 } ?? 1
            let truncate = p.extra.first { $0.0 == "truncate" }?.1.boolValue ?? true
            func correctionDimension(_ rotations: Double) -> Double {
                Double(dim) * log(original / (rotations * 2 * Double.pi)) / (2 * log(base))
            }
            var low = correctionDimension(betaFast), high = correctionDimension(betaSlow)
            if truncate { low = low.rounded(.down); high = high.rounded(.up) }
            low = max(low, 0); high = min(high, Double(dim - 1))
            if low == high { high += 0.001 }
            let positionFrequencies = stride(from: 0, to: dim, by: 2).map { powf(Float(base), Float($0) / Float(dim)) }
            let frequencies = positionFrequencies.enumerated().map { i, pf -> Float in
                let ramp = min(max((Float(i) - Float(low)) / (Float(high) - Float(low)), 0), 1)
                let extrapolationFactor = 1 - ramp
                let interpolation = 1 / (Float(factor) * pf), extrapolation = 1 / pf
                return interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor
            }
            return (frequencies, attention ?? 1)
        default:
            return (plainFrequencies(base: base, dimension: dim), 1)
        }
    }

    /// cos and sin `[rows, 1, positions, dimension]` for position rows (each `positions` long),
    /// scaled by `attentionScaling`; dynamic scaling first adapts to the largest position.
    func cosSin(_ positions: [[Int]]) -> (cos: Tensor, sin: Tensor) {
        if parameters.type == "dynamic" { updateDynamic(sequenceLength: (positions.joined().max() ?? 0) + 1) }
        let rows = positions.count, length = positions.first?.count ?? 0, half = dimension / 2
        let cos = Tensor(uninitialized: [rows, 1, length, dimension]), sin = Tensor(uninitialized: [rows, 1, length, dimension])
        let scale = Float(attentionScaling)
        withExtendedLifetime((cos, sin)) {
            let c = cos.floatPointer, s = sin.floatPointer
            for r in 0..<rows {
                for t in 0..<length {
                    let position = Float(positions[r][t])
                    let offset = (r * length + t) * dimension
                    for i in 0..<half {
                        let angle = position * inverseFrequencies[i]
                        let (cv, sv) = (cosf(angle) * scale, sinf(angle) * scale)
                        c[offset + i] = cv; c[offset + half + i] = cv
                        s[offset + i] = sv; s[offset + half + i] = sv
                    }
                }
            }
        }
        return (cos, sin)
    }

    private func updateDynamic(sequenceLength: Int) {
        let cached = maxSequenceLengthCached
        if sequenceLength > cached {
            (inverseFrequencies, attentionScaling) = RotaryEmbedding.frequencies(parameters, dimension: dimension,
                                                                                maxPositionEmbeddings: maxPositionEmbeddings,
                                                                                sequenceLength: sequenceLength)
            maxSequenceLengthCached = sequenceLength
        }
        if sequenceLength < maxPositionEmbeddings && cached > maxPositionEmbeddings {
            inverseFrequencies = originalInverseFrequencies
            maxSequenceLengthCached = maxPositionEmbeddings
        }
    }

    /// `x · cos + rotate_half(x) · sin` for `x [batch, heads, positions, dimension]` and cos/sin
    /// `[batch or 1, 1, positions, dimension]` (apply_rotary_pos_emb). Without grad recording it
    /// is one pass over `x`; with it, the composition of recorded ops.
    static func rotate(_ x: Tensor, cos: Tensor, sin: Tensor) throws -> Tensor {
        let d = x.shape[3], half = d / 2
        if GradMode.isEnabled && x.requiresGrad {
            let rotated = try Tensor.cat([-x.slice(3, start: half, end: d), x.slice(3, start: 0, end: half)], dim: 3)
            return try x * cos + rotated * sin
        }
        let input = try x.to(.float32).contiguous()
        let (batch, heads, length) = (x.shape[0], x.shape[1], x.shape[2])
        let cosRows = cos.shape[0]
        let out = Tensor(uninitialized: x.shape)
        withExtendedLifetime((input, cos, sin, out)) {
            let source = input.floatPointer, target = out.floatPointer
            let c = cos.floatPointer, s = sin.floatPointer
            for b in 0..<batch {
                let table = (cosRows == 1 ? 0 : b) * length * d
                for h in 0..<heads {
                    for t in 0..<length {
                        let row = ((b * heads + h) * length + t) * d
                        let angles = table + t * d
                        for i in 0..<half {
                            let first = source[row + i], second = source[row + half + i]
                            target[row + i] = first * c[angles + i] - second * s[angles + i]
                            target[row + half + i] = second * c[angles + half + i] + first * s[angles + half + i]
                        }
                    }
                }
            }
        }
        return out
    }
}
