import Foundation
import NN
import Tensors

/// A block inside a model, reached by attribute as in torch: `model.bert.encoder.layer[0]`,
/// `model.classifier.weight`. Children and tensors are found by their state-dict names, so the
/// path a script walks is the checkpoint name of the weight it ends on.
final class SubmoduleObject: NativeObject, ScriptClassProviding {
    let module: Module
    init(_ module: Module) { self.module = module }

    /// The child block or tensor of `module` called `name`, as a script value.
    static func member(of module: Module, _ name: String) -> Value? {
        if let child = module.namedChildren().first(where: { $0.0 == name })?.1 {
            return ScriptBridge.wrap(SubmoduleObject(child))
        }
        if let tensor = module.namedTensors().first(where: { $0.0 == name })?.1 { return ScriptBridge.wrap(tensor) }
        return nil
    }

    var typeName: String { module is ModuleList ? "ModuleList" : String(describing: type(of: module)) }

    nonisolated(unsafe) static var classes: [String: PyClass] = [:]
    /// One script class per block type, so `type(layer).__name__` is `BertLayer`.
    var scriptClass: PyClass {
        if let c = Self.classes[typeName] { return c }
        let c = PyClass(name: typeName, base: Builtins.objectClass)
        c.module = "torch.nn"
        Self.classes[typeName] = c
        return c
    }

    func getAttribute(_ name: String) throws -> Value? {
        if let v = Self.member(of: module, name) { return v }
        switch name {
        case "parameters":
            return ScriptBridge.function("parameters", doc: "The block's parameters.") { [module] _, _ in
                .list(module.parameters().map { ScriptBridge.wrap($0) })
            }
        case "named_parameters":
            return ScriptBridge.function("named_parameters", doc: "(name, parameter) pairs of the block.") { [module] _, _ in
                .list(module.namedParameters().map { .tuple([.str($0.0), ScriptBridge.wrap($0.1)]) })
            }
        case "training": return .bool(module.training)
        case "__getitem__":
            return ScriptBridge.function("__getitem__", doc: "The i-th block of a list.") { [module] args, _ in
                let children = module.namedChildren()
                guard module is ModuleList, let first = args.first else {
                    throw ScriptBridge.error("TypeError", "'\(String(describing: type(of: module)))' object is not subscriptable")
                }
                var i = try ScriptBridge.int(first)
                if i < 0 { i += children.count }
                guard children.indices.contains(i) else { throw ScriptBridge.error("IndexError", "index \(i) is out of range") }
                return ScriptBridge.wrap(SubmoduleObject(children[i].1))
            }
        case "__len__" where module is ModuleList:
            return ScriptBridge.function("__len__", doc: "The number of blocks.") { [module] _, _ in .int(module.namedChildren().count) }
        default: return nil
        }
    }

    func repr() throws -> String { ModelObject.describe(module) }
    var doc: String? { "A block of the model: its children and weights are attributes." }
    var attributeNames: [String] { module.namedChildren().map(\.0) + module.namedTensors().map(\.0) + ["named_parameters", "parameters"] }
}
