/// Helpers for Swift code that exposes native objects to scripts (the bindings layer):
/// building script errors and converting between `Value` and Swift types.
public enum ScriptBridge {
    /// An error that surfaces in the script as the named exception, e.g. `("TypeError", "…")`.
    public static func error(_ exceptionName: String, _ message: String) -> Error {
        Interp.error(exceptionName, message)
    }
    /// The value as a Swift Int (bools count); throws TypeError otherwise.
    public static func int(_ v: Value) throws -> Int { try Builtins.intArg(v) }
    /// The value as a Double (ints and bools convert); throws TypeError otherwise.
    public static func double(_ v: Value) throws -> Double { try Builtins.toFloat(v) }
    /// The value as a String; throws TypeError for non-strings.
    public static func string(_ v: Value) throws -> String {
        guard case .str(let s) = v else { throw Interp.typeError("expected str, got \(Interp.typeName(v))") }
        return s
    }
    /// Elements of any iterable.
    public static func array(_ v: Value) throws -> [Value] { try Interp.toArray(v) }
    /// A script list.
    public static func list(_ items: [Value]) -> Value { .list(items) }
    /// A script tuple.
    public static func tuple(_ items: [Value]) -> Value { .tuple(items) }
    /// A script dict from string keys, in the given order.
    public static func dict(_ pairs: [(String, Value)]) -> Value {
        let d = PyDict(); for (k, v) in pairs { d.set(.str(k), v) }; return .obj(d)
    }
    /// A function callable from scripts.
    public static func function(_ name: String, doc: String? = nil, _ body: @escaping NativeFn) -> Value {
        .obj(PyBuiltin(name, doc: doc, body))
    }
    /// Wraps a native object.
    public static func wrap(_ object: NativeObject) -> Value { .obj(PyNative(object)) }
    /// The wrapped native object, if `v` wraps one of type T.
    public static func unwrap<T: NativeObject>(_ v: Value, as: T.Type) -> T? {
        if case .obj(let o) = v, let n = o as? PyNative { return n.object as? T }
        return nil
    }
    /// Calls any script callable.
    public static func call(_ f: Value, _ args: [Value], _ kwargs: [(String, Value)] = []) throws -> Value {
        try Interp.call(f, args, kwargs)
    }
    /// repr() of a value, as Python prints it.
    public static func repr(_ v: Value) throws -> String { try Interp.repr(v) }
    /// Raises KeyboardInterrupt if the user interrupted; call inside long native loops.
    public static func checkCancellation() throws { try checkInterrupt() }
    /// Registers a module for `import name`; `attributes` is built on first import.
    public static func registerModule(_ name: String, doc: String? = nil, _ attributes: @escaping () throws -> [String: Value]) {
        Modules.register(name) { PyModule(name, try attributes(), doc: doc) }
    }
}
