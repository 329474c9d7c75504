import Tensors

/// A neural-network building block with named parameters, as torch's `nn.Module`.
///
/// Subclasses keep their weights as `Tensor` properties and their sub-blocks as `Module` (or
/// `[Module]`) properties; the parameter tree is discovered from the stored properties, named by
/// property name and list index (`layers.0.weight`), so state dicts use the same names as
/// transformers' checkpoints when the properties are named like torch's attributes.
/// A tensor property that requires grad is a parameter; one that does not is a buffer.
open class Module {
    /// Training mode (dropout active) versus evaluation mode.
    public private(set) var training = true

    public init() {}

    /// The direct children: (name, module) pairs in declaration order.
    open func namedChildren() -> [(String, Module)] {
        var children: [(String, Module)] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        var levels: [[(String, Module)]] = []
        while let current = mirror {
            var level: [(String, Module)] = []
            for child in current.children {
                guard let label = child.label else { continue }
                if let module = child.value as? Module {
                    level.append((label, module))
                } else if let list = child.value as? [Module] {
                    level.append((label, ModuleList(list)))
                }
            }
            levels.append(level)
            mirror = current.superclassMirror
        }
        // Superclass properties first, as declared.
        for level in levels.reversed() { children += level }
        return children
    }

    /// The tensors held directly by this module: (name, tensor) pairs.
    open func namedTensors() -> [(String, Tensor)] {
        var tensors: [(String, Tensor)] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        var levels: [[(String, Tensor)]] = []
        while let current = mirror {
            var level: [(String, Tensor)] = []
            for child in current.children {
                guard let label = child.label else { continue }
                if let tensor = child.value as? Tensor {
                    level.append((label, tensor))
                } else if let optional = child.value as? Tensor?, let tensor = optional {
                    level.append((label, tensor))
                }
            }
            levels.append(level)
            mirror = current.superclassMirror
        }
        for level in levels.reversed() { tensors += level }
        return tensors
    }

    /// Every parameter of the tree with its dotted name (`encoder.layer.0.weight`), each tensor
    /// once under its first name, as torch's `named_parameters`: a tied weight (an output layer
    /// sharing the embedding table) must not be stepped twice by an optimizer.
    public func namedParameters() -> [(String, Tensor)] {
        Module.firstOccurrences(stateDict().filter { $0.1.requiresGrad })
    }

    /// `named` without the entries whose tensor already appeared (by identity).
    static func firstOccurrences(_ named: [(String, Tensor)]) -> [(String, Tensor)] {
        var seen = Set<ObjectIdentifier>()
        return named.filter { seen.insert(ObjectIdentifier($0.1)).inserted }
    }

    /// Every parameter, in the order of `namedParameters()`.
    public func parameters() -> [Tensor] { namedParameters().map(\.1) }

    /// Every tensor of the tree (parameters and buffers) with its dotted name.
    public func stateDict() -> [(String, Tensor)] {
        var result = namedTensors()
        for (name, child) in namedChildren() {
            result += child.stateDict().map { ("\(name).\($0.0)", $0.1) }
        }
        return result
    }

    /// Copies values from `state` into this tree's tensors by name. With `strict`, a missing or
    /// unexpected name is an error; a shape mismatch always is. Returns (missing, unexpected).
    @discardableResult
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws
        -> (missing: [String], unexpected: [String]) {
        let own = stateDict()
        let ownNames = Set(own.map(\.0))
        let missing = own.map(\.0).filter { state[$0] == nil }
        let unexpected = state.keys.filter { !ownNames.contains($0) }.sorted()
        if strict && (!missing.isEmpty || !unexpected.isEmpty) {
            throw TensorError.invalidArgument(
                "Error(s) in loading state_dict: missing keys \(missing), unexpected keys \(unexpected)")
        }
        for (name, tensor) in own {
            guard let source = state[name] else { continue }
            guard source.shape == tensor.shape else {
                throw TensorError.shapeMismatch(
                    "size mismatch for \(name): copying a param with shape \(source.shape.shapeString) from checkpoint, the shape in current model is \(tensor.shape.shapeString).")
            }
            try withNoGrad { try tensor.copy(from: source) }
        }
        return (missing, unexpected)
    }

    /// Number of parameter elements (all, or only trainable ones), a tied tensor counted once.
    public func numParameters(onlyTrainable: Bool = false) -> Int {
        Module.firstOccurrences(stateDict()).filter { onlyTrainable ? $0.1.requiresGrad : true }
            .filter { $0.1.dtype.isFloatingPoint }.map { $0.1.count }.reduce(0, +)
    }

    /// Switches this module and its children to training (true) or evaluation (false) mode.
    public func train(_ mode: Bool = true) {
        training = mode
        for (_, child) in namedChildren() { child.train(mode) }
    }

    /// Evaluation mode: dropout off.
    public func eval() { train(false) }

    /// Clears every parameter's `.grad`.
    public func zeroGrad() {
        for parameter in parameters() { parameter.grad = nil }
    }
}

/// A list of modules whose parameters are named by index (`layers.0.weight`).
public final class ModuleList: Module {
    public var modules: [Module]

    public init(_ modules: [Module]) {
        self.modules = modules
        super.init()
    }

    public override func namedChildren() -> [(String, Module)] {
        modules.enumerated().map { (String($0.offset), $0.element) }
    }

    public override func namedTensors() -> [(String, Tensor)] { [] }
}
