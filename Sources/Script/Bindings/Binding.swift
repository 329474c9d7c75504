import Foundation
import Tensors

/// The declarative binding layer: library areas describe their Swift functions and types
/// once (Python name, signature, help text, body) and get script functions, bound methods and
/// properties with Python's argument handling and exceptions.
public enum Bindings {
    /// A script function named `name` taking `signature`; `doc` is its help text (the Swift
    /// doc comment's wording). Tensor errors surface as the matching Python exception.
    public static func function(_ name: String, _ signature: String, doc: String,
                                _ body: @escaping (Arguments) throws -> Value) -> Value {
        let sig = Signature(signature)
        return ScriptBridge.function(name, doc: "\(name)(\(signature))\n\n\(doc)") { args, kwargs in
            let bound = try sig.bind(args, kwargs, function: name)
            return try translatingErrors { try body(bound) }
        }
    }

    /// Runs `body`, turning `TensorError` into the Python exception torch raises for it.
    public static func translatingErrors<R>(_ body: () throws -> R) throws -> R {
        do { return try body() } catch let e as TensorError {
            throw ScriptBridge.error(e.pythonExceptionName, e.description)
        }
    }
}

/// One method of a native type `T`, bound to an instance when looked up.
public struct NativeMethod<T: AnyObject> {
    public let name: String
    public let signature: Signature
    public let doc: String
    public let body: (T, Arguments) throws -> Value

    public init(_ name: String, _ signature: String, doc: String, _ body: @escaping (T, Arguments) throws -> Value) {
        self.name = name; self.signature = Signature(signature); self.doc = doc; self.body = body
    }

    /// The script function `instance.name`.
    public func bound(to instance: T, typeName: String) -> Value {
        let sig = signature, body = body, qualified = name
        return ScriptBridge.function(name, doc: "\(typeName).\(name)(\(signature.text))\n\n\(doc)") { args, kwargs in
            let bound = try sig.bind(args, kwargs, function: qualified)
            return try Bindings.translatingErrors { try body(instance, bound) }
        }
    }
}

/// A read-only (or settable) attribute of a native type `T`.
public struct NativeProperty<T: AnyObject> {
    public let name: String
    public let doc: String
    public let get: (T) throws -> Value
    public let set: ((T, Value) throws -> Void)?

    public init(_ name: String, doc: String, get: @escaping (T) throws -> Value, set: ((T, Value) throws -> Void)? = nil) {
        self.name = name; self.doc = doc; self.get = get; self.set = set
    }
}

/// Everything a native type shows to scripts: its methods and properties by Python name,
/// and the script class `isinstance` checks against.
public final class NativeTypeBinding<T: AnyObject> {
    public let typeName: String
    public let doc: String
    public private(set) var methods: [String: NativeMethod<T>] = [:]
    public private(set) var properties: [String: NativeProperty<T>] = [:]
    /// The class scripts see, e.g. `torch.Tensor`.
    public let scriptClass: PyClass

    public init(typeName: String, module: String, doc: String) {
        self.typeName = typeName
        self.doc = doc
        scriptClass = PyClass(name: typeName, base: Builtins.objectClass)
        scriptClass.module = module
        scriptClass.doc = doc
    }

    /// Adds a method.
    public func method(_ name: String, _ signature: String, doc: String, _ body: @escaping (T, Arguments) throws -> Value) {
        methods[name] = NativeMethod(name, signature, doc: doc, body)
    }
    /// Adds the same method under several names (`dim` and `ndimension`, …).
    public func alias(_ name: String, for existing: String) {
        if let m = methods[existing] { methods[name] = NativeMethod(name, m.signature.text, doc: m.doc, m.body) }
    }
    /// Adds a property.
    public func property(_ name: String, doc: String, get: @escaping (T) throws -> Value, set: ((T, Value) throws -> Void)? = nil) {
        properties[name] = NativeProperty(name, doc: doc, get: get, set: set)
    }

    /// The attribute `name` of `instance`, nil when there is none.
    public func attribute(_ name: String, of instance: T) throws -> Value? {
        if let p = properties[name] { return try Bindings.translatingErrors { try p.get(instance) } }
        if let m = methods[name] { return m.bound(to: instance, typeName: typeName) }
        if name == "__class__" { return .obj(scriptClass) }
        return nil
    }
    /// Assigns a settable property; false when `name` is not one.
    public func setAttribute(_ name: String, _ value: Value, of instance: T) throws -> Bool {
        guard let p = properties[name] else { return false }
        guard let set = p.set else { throw ScriptBridge.error("AttributeError", "attribute '\(name)' of '\(typeName)' objects is not writable") }
        try Bindings.translatingErrors { try set(instance, value) }
        return true
    }
    /// Public names for dir().
    public var attributeNames: [String] {
        (Array(methods.keys) + Array(properties.keys)).filter { !$0.hasPrefix("__") }.sorted()
    }
}

/// Native objects whose script class is a real class object (for isinstance and type()).
public protocol ScriptClassProviding {
    var scriptClass: PyClass { get }
}
