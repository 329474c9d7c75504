import Foundation
import Tensors

/// `torch.nn.functional`: activations, normalisation, losses and the other layer functions.
enum TorchFunctional {
    static func wrap(_ t: Tensor) -> Value { ScriptBridge.wrap(t) }

    /// The dim torch picks (with a deprecation warning) when softmax is called without one.
    static func implicitDim(_ x: Tensor) -> Int { [0, 1, 3].contains(x.rank) ? 0 : 1 }

    static func make() -> [String: Value] {
        var m: [String: Value] = [:]
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Arguments) throws -> Value) {
            m[name] = Bindings.function(name, signature, doc: doc, body)
        }
        def("softmax", "input, dim=None, dtype=None", "exp(x) / sum(exp(x)) along dim, computed stably.") { a in
            var x = try a.tensor("input"); if let d = try a.dtype("dtype") { x = try x.to(d) }
            let dim = try a.optionalInt("dim") ?? implicitDim(x)
            return wrap(try x.softmax(dim: dim))
        }
        def("log_softmax", "input, dim=None, dtype=None", "log(softmax(x)) along dim, computed stably.") { a in
            var x = try a.tensor("input"); if let d = try a.dtype("dtype") { x = try x.to(d) }
            let dim = try a.optionalInt("dim") ?? implicitDim(x)
            return wrap(try x.logSoftmax(dim: dim))
        }
        def("gelu", "input, approximate='none'", "Gaussian error linear unit, exact ('none') or with the tanh approximation ('tanh').") { a in
            guard let mode = GeluApproximation(rawValue: try a.string("approximate")) else {
                throw ScriptBridge.error("RuntimeError", "approximate argument must be either none or tanh.")
            }
            return wrap(try a.strictTensor("input").gelu(approximate: mode))
        }
        def("relu", "input, inplace=False", "max(x, 0) elementwise.") { a in wrap(try a.strictTensor("input").relu()) }
        def("silu", "input, inplace=False", "x * sigmoid(x) elementwise.") { a in wrap(try a.strictTensor("input").silu()) }
        def("sigmoid", "input", "1 / (1 + exp(-x)) elementwise.") { a in wrap(try a.strictTensor("input").sigmoid()) }
        def("tanh", "input", "Hyperbolic tangent elementwise.") { a in wrap(try a.strictTensor("input").tanh()) }
        def("cross_entropy", "input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean', label_smoothing=0.0",
            "Cross-entropy between logits (classes on dim 1) and class indices or class probabilities.") { a in
            guard a.isNone("weight") else { throw ScriptBridge.error("NotImplementedError", "cross_entropy: class weights are not supported") }
            guard let reduction = LossReduction(rawValue: try a.string("reduction")) else {
                throw ScriptBridge.error("ValueError", "\(try a.string("reduction")) is not a valid value for reduction")
            }
            return wrap(try Tensor.crossEntropy(try a.strictTensor("input"), try a.strictTensor("target"), ignoreIndex: try a.int("ignore_index"),
                                                reduction: reduction, labelSmoothing: try a.double("label_smoothing")))
        }
        def("nll_loss", "input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'",
            "Negative log-likelihood of log-probabilities (classes on dim 1) at the target classes.") { a in
            guard let reduction = LossReduction(rawValue: try a.string("reduction")) else {
                throw ScriptBridge.error("ValueError", "\(try a.string("reduction")) is not a valid value for reduction")
            }
            return wrap(try Tensor.nllLoss(try a.strictTensor("input"), try a.strictTensor("target"), ignoreIndex: try a.int("ignore_index"), reduction: reduction))
        }
        def("mse_loss", "input, target, size_average=None, reduce=None, reduction='mean'", "Mean squared error.") { a in
            guard let reduction = LossReduction(rawValue: try a.string("reduction")) else {
                throw ScriptBridge.error("ValueError", "\(try a.string("reduction")) is not a valid value for reduction")
            }
            return wrap(try Tensor.mseLoss(try a.strictTensor("input"), try a.strictTensor("target"), reduction: reduction))
        }
        def("layer_norm", "input, normalized_shape, weight=None, bias=None, eps=1e-05",
            "(x - mean) / sqrt(var + eps) * weight + bias over the trailing normalized_shape dims.") { a in
            wrap(try a.strictTensor("input").layerNorm(normalizedShape: try a.ints("normalized_shape"), weight: try a.optionalTensor("weight"),
                                                       bias: try a.optionalTensor("bias"), eps: try a.double("eps")))
        }
        def("rms_norm", "input, normalized_shape, weight=None, eps=None", "x / sqrt(mean(x^2) + eps) * weight over the trailing dims.") { a in
            let x = try a.strictTensor("input")
            if let eps = try a.optionalDouble("eps") {
                return wrap(try x.rmsNorm(normalizedShape: try a.ints("normalized_shape"), weight: try a.optionalTensor("weight"), eps: eps))
            }
            return wrap(try x.rmsNorm(normalizedShape: try a.ints("normalized_shape"), weight: try a.optionalTensor("weight")))
        }
        def("linear", "input, weight, bias=None", "input @ weight.T + bias.") { a in
            wrap(try a.strictTensor("input").linear(weight: try a.strictTensor("weight"), bias: try a.optionalTensor("bias")))
        }
        def("dropout", "input, p=0.5, training=True, inplace=False", "Zeroes elements with probability p and scales the rest by 1/(1-p) when training.") { a in
            let p = try a.double("p")
            guard (0...1).contains(p) else { throw ScriptBridge.error("ValueError", "dropout probability has to be between 0 and 1, but got \(p)") }
            return wrap(try a.strictTensor("input").dropout(p: p, training: try a.bool("training")))
        }
        def("pad", "input, pad, mode='constant', value=None", "Pads trailing dims by pad = (last_before, last_after, ...); negative amounts crop.") { a in
            guard let mode = PaddingMode(rawValue: try a.string("mode")) else {
                throw ScriptBridge.error("NotImplementedError", "Unrecognised padding mode \(try a.string("mode"))")
            }
            return wrap(try a.strictTensor("input").pad(try a.ints("pad"), mode: mode, value: try a.optionalDouble("value") ?? 0))
        }
        def("one_hot", "tensor, num_classes=-1", "Int64 one-hot rows for class indices (num_classes inferred as max + 1 when -1).") { a in
            wrap(try a.strictTensor("tensor").oneHot(numClasses: try a.int("num_classes")))
        }
        def("embedding", "input, weight, padding_idx=None", "Rows of weight at the indices in input.") { a in
            wrap(try Tensor.embedding(weight: try a.strictTensor("weight"), indices: try a.strictTensor("input")))
        }
        def("normalize", "input, p=2.0, dim=1, eps=1e-12", "x / max(||x||_p, eps) along dim (p = 2).") { a in
            let x = try a.strictTensor("input")
            guard try a.double("p") == 2 else { throw ScriptBridge.error("NotImplementedError", "normalize: only p=2 is supported") }
            let norm = try TensorBinding.vectorNorm(x, p: 2, dims: [try a.int("dim")], keepDim: true).clamp(min: try a.double("eps"))
            return wrap(try x / norm)
        }
        def("cosine_similarity", "x1, x2, dim=1, eps=1e-8",
            "The cosine of the angle between x1 and x2 (broadcast) along dim: each divided by max(||x||, eps), then their dot product.") { a in
            let x1 = try a.strictTensor("x1"), x2 = try a.strictTensor("x2")
            let shape = try Tensor.broadcastShapes(x1.shape, x2.shape, op: "cosine_similarity")
            let (u, v) = (try x1.expand(shape), try x2.expand(shape))
            let dim = try a.int("dim"), eps = try a.double("eps")
            let un = try TensorBinding.vectorNorm(u, p: 2, dims: [dim], keepDim: true).clamp(min: eps)
            let vn = try TensorBinding.vectorNorm(v, p: 2, dims: [dim], keepDim: true).clamp(min: eps)
            return wrap(try ((u / un) * (v / vn)).sum(dims: [dim]))
        }
        return m
    }
}
