import Foundation
import Tensors

/// Updates parameters from their gradients, as torch's `torch.optim` optimizers.
public protocol Optimizer: AnyObject {
    /// The parameters being optimised.
    var parameters: [Tensor] { get }
    /// The current learning rate (schedulers set it).
    var learningRate: Double { get set }
    /// Applies one update from the parameters' current `.grad` (parameters without one are skipped).
    func step() throws
}

extension Optimizer {
    /// Clears every parameter's gradient (torch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for parameter in parameters { parameter.grad = nil }
    }
}

/// Runs `body` with float pointers to a parameter and its gradient, both dense float32.
/// Optimizers update parameters in place, outside the autograd graph.
func withParameterBuffers(_ parameter: Tensor, _ gradient: Tensor,
                          _ body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void) throws {
    guard parameter.dtype == .float32, parameter.isContiguous else {
        throw TensorError.unsupportedDType(op: "optimizer step (parameters must be dense float32)",
                                           dtype: parameter.dtype)
    }
    guard !parameter.storage.isReadOnly else {
        throw TensorError.invalidArgument("cannot update a parameter that views a read-only file mapping")
    }
    let g = try gradient.to(.float32).contiguous()
    parameter.storage.valuesWillChange()
    withExtendedLifetime(g) { body(parameter.floatPointer, g.floatPointer, parameter.count) }
}

/// Stochastic gradient descent with momentum, dampening, Nesterov and weight decay
/// (torch.optim.SGD's update, step for step).
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Double
    public let momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool
    private var buffers: [ObjectIdentifier: [Float]] = [:]

    public init(_ parameters: [Tensor], learningRate: Double = 1e-3, momentum: Double = 0,
                dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) throws {
        guard learningRate >= 0 else { throw TensorError.invalidArgument("Invalid learning rate: \(learningRate)") }
        guard momentum >= 0 else { throw TensorError.invalidArgument("Invalid momentum value: \(momentum)") }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw TensorError.invalidArgument("Nesterov momentum requires a momentum and zero dampening")
        }
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public func step() throws {
        let lr = Float(learningRate), mu = Float(momentum), wd = Float(weightDecay)
        let damp = Float(1 - dampening)
        for parameter in parameters {
            guard let gradient = parameter.grad else { continue }
            let id = ObjectIdentifier(parameter)
            var buffer = buffers[id]
            let first = buffer == nil
            if mu != 0 && first { buffer = [Float](repeating: 0, count: parameter.count) }
            try withParameterBuffers(parameter, gradient) { p, g, n in
                for i in 0..<n {
                    var d = g[i] + wd * p[i]
                    if mu != 0 {
                        let b = first ? d : mu * buffer![i] + damp * d
                        buffer![i] = b
                        d = nesterov ? d + mu * b : b
                    }
                    p[i] -= lr * d
                }
            }
            if mu != 0 { buffers[id] = buffer }
        }
    }
}

/// Adam with decoupled weight decay (torch.optim.AdamW's update, step for step); with
/// `decoupled: false` it is torch.optim.Adam (weight decay added to the gradient).
public final class AdamW: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Double
    public let beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double
    public let decoupled: Bool
    private var state: [ObjectIdentifier: (step: Int, mean: [Float], variance: [Float])] = [:]

    public init(_ parameters: [Tensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                epsilon: Double = 1e-8, weightDecay: Double = 1e-2, decoupled: Bool = true) throws {
        guard learningRate >= 0 else { throw TensorError.invalidArgument("Invalid learning rate: \(learningRate)") }
        guard (0..<1).contains(betas.0), (0..<1).contains(betas.1) else {
            throw TensorError.invalidArgument("Invalid beta parameters: \(betas)")
        }
        guard epsilon >= 0 else { throw TensorError.invalidArgument("Invalid epsilon value: \(epsilon)") }
        self.parameters = parameters
        self.learningRate = learningRate
        beta1 = betas.0
        beta2 = betas.1
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
    }

    public func step() throws {
        for parameter in parameters {
            guard let gradient = parameter.grad else { continue }
            let id = ObjectIdentifier(parameter)
            var s = state[id] ?? (0, [Float](repeating: 0, count: parameter.count),
                                  [Float](repeating: 0, count: parameter.count))
            s.step += 1
            let lr = Float(learningRate), wd = Float(weightDecay)
            let b1 = Float(beta1), b2 = Float(beta2), eps = Float(epsilon)
            let correction1 = Float(1 - pow(beta1, Double(s.step)))
            let correction2Root = Float(sqrt(1 - pow(beta2, Double(s.step))))
            let stepSize = lr / correction1
            let decoupled = self.decoupled
            try withParameterBuffers(parameter, gradient) { p, g, n in
                s.mean.withUnsafeMutableBufferPointer { m in
                    s.variance.withUnsafeMutableBufferPointer { v in
                        for i in 0..<n {
                            var gi = g[i]
                            if decoupled { p[i] *= 1 - lr * wd } else { gi += wd * p[i] }
                            m[i] += (gi - m[i]) * (1 - b1)
                            v[i] = v[i] * b2 + (1 - b2) * gi * gi
                            let denom = v[i].squareRoot() / correction2Root + eps
                            p[i] -= stepSize * m[i] / denom
                        }
                    }
                }
            }
            state[id] = s
        }
    }
}
