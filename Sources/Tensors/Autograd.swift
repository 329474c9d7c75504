/// One recorded operation in the autograd graph: the inputs it read and how to turn the
/// gradient of its output into gradients of those inputs.
public final class GradNode {
    /// The op's name as torch shows it in `grad_fn` (e.g. `AddBackward0`).
    public let name: String
    let inputs: [Tensor]
    /// Maps d(loss)/d(output) to d(loss)/d(input) for each input (nil where none flows).
    let backward: (Tensor) throws -> [Tensor?]

    init(name: String, inputs: [Tensor], backward: @escaping (Tensor) throws -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

/// Whether operations are being recorded. Off inside `withNoGrad` and while `backward` runs.
public enum GradMode {
    nonisolated(unsafe) static var disabledDepth = 0
    public static var isEnabled: Bool { disabledDepth == 0 }
}

/// Runs `body` without recording operations for autograd (torch's `no_grad`).
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    GradMode.disabledDepth += 1
    defer { GradMode.disabledDepth -= 1 }
    return try body()
}

extension Tensor {
    /// A dense gradient that shares storage with nothing else, for a leaf's `.grad`: `gradient`
    /// itself when nothing else refers to it or to its storage (a gradient a backward function
    /// has just computed), else a copy. Taking it saves copying a weight-sized buffer on every
    /// backward; a gradient that is also another tensor's (the two inputs of an add, the seed,
    /// a view of a kept tensor) is copied, so no two `.grad`s ever alias. `gradient` is
    /// released (set to nil) so that its storage can be found unique.
    static func ownedGradient(_ gradient: inout Tensor?) -> Tensor? {
        guard var g = gradient else { return nil }
        gradient = nil
        guard g.isContiguous, g.gradFn == nil, isKnownUniquelyReferenced(&g) else { return g.contiguous().clone() }
        let (shape, offset, dtype) = (g.shape, g.offset, g.dtype)
        var storage = g.storage
        _ = consume g
        if isKnownUniquelyReferenced(&storage), !storage.isReadOnly {
            return Tensor(storage: storage, shape: shape, offset: offset, dtype: dtype)
        }
        return Tensor(storage: storage, shape: shape, offset: offset, dtype: dtype).clone()
    }
}

extension Tensor {
    /// Whether this tensor is a leaf: created by the user rather than recorded from an op.
    public var isLeaf: Bool { gradFn == nil }

    /// Attaches `backward` to `output` when grad mode is on and any input requires grad.
    /// Every differentiable op ends with this call, its backward written beside its forward.
    @discardableResult
    @inline(__always)
    public static func record(_ output: Tensor, _ name: String, _ inputs: [Tensor],
                              _ backward: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return output }
        output.requiresGrad = true
        output.gradFn = GradNode(name: name, inputs: inputs, backward: backward)
        return output
    }

    /// Sets `requiresGrad` and returns self, as torch's `requires_grad_()`.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) throws -> Tensor {
        if flag && !dtype.isFloatingPoint {
            throw TensorError.invalidArgument(
                "only Tensors of floating point dtype can require gradients (got \(dtype))")
        }
        requiresGrad = flag
        return self
    }

    /// Back-propagates from this tensor. Without `gradient` the tensor must hold one element
    /// (a loss); gradients are added into `.grad` of every leaf that requires grad, so calls
    /// accumulate until `.grad` is reset, as in torch.
    public func backward(gradient: Tensor? = nil) throws {
        guard requiresGrad else {
            throw TensorError.invalidArgument(
                "element 0 of tensors does not require grad and does not have a grad_fn")
        }
        let seed: Tensor
        if let gradient {
            guard gradient.shape == shape else {
                throw TensorError.shapeMismatch(
                    "backward: gradient has shape \(gradient.shape.shapeString) but the tensor has shape \(shape.shapeString)")
            }
            seed = gradient
        } else {
            guard count == 1 else {
                throw TensorError.invalidArgument(
                    "grad can be implicitly created only for scalar outputs (got shape \(shape.shapeString))")
            }
            seed = Tensor.full(shape, 1, dtype: dtype.isFloatingPoint ? dtype : .float32)
        }

        // Topological order by depth-first search from the root.
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            let id = ObjectIdentifier(tensor)
            if visited.contains(id) { continue }
            visited.insert(id)
            stack.append((tensor, true))
            for input in tensor.gradFn?.inputs ?? [] where input.requiresGrad
                && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }

        try withNoGrad {
            var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
            for tensor in order.reversed() {
                let id = ObjectIdentifier(tensor)
                guard var g = grads.removeValue(forKey: id) else { continue }
                guard let node = tensor.gradFn else {
                    // A leaf: accumulate.
                    if g.dtype != tensor.dtype { g = try g.to(tensor.dtype) }
                    if let existing = tensor.grad {
                        tensor.grad = try existing + g
                    } else {
                        var owned: Tensor? = consume g
                        tensor.grad = Tensor.ownedGradient(&owned)
                    }
                    continue
                }
                let inputGrads = try node.backward(g)
                for (input, inputGrad) in zip(node.inputs, inputGrads) {
                    guard input.requiresGrad, let inputGrad else { continue }
                    guard inputGrad.shape == input.shape else {
                        throw TensorError.shapeMismatch(
                            "\(node.name): gradient of shape \(inputGrad.shape.shapeString) for an input of shape \(input.shape.shapeString)")
                    }
                    let key = ObjectIdentifier(input)
                    grads[key] = try grads[key].map { try $0 + inputGrad } ?? inputGrad
                }
            }
        }
    }
}
