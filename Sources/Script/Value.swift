import Foundation

/// A script value. Small immutable values live inline; everything else is a `PyObject`.
public enum Value {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case str(String)
    case obj(PyObject)
}

/// Base of every heap value the interpreter manipulates (lists, functions, instances, natives…).
open class PyObject {
    public init() {}
    /// The script-visible class of this object.
    open var pyClass: PyClass { Builtins.objectClass }
    /// This object as `T` if it is exactly of class `T`. For a final class that is the same
    /// answer `as?` gives, from one pointer comparison instead of the runtime's cast walk;
    /// every value class of the interpreter is final, so hot paths use this.
    @inline(__always) public final func exactly<T: PyObject>(_ t: T.Type) -> T? {
        ObjectIdentifier(type(of: self)) == ObjectIdentifier(t) ? unsafeDowncast(self, to: T.self) : nil
    }
}

/// A script exception in flight: wraps the exception instance and the traceback collected so far.
public struct PyError: Error {
    public let exc: PyInstance
    public init(_ exc: PyInstance) { self.exc = exc }
}

/// One traceback line: where a frame was executing when the exception passed through it.
public struct TraceEntry {
    public var file: String
    public var line: Int
    public var col: Int
    public var endCol: Int
    public var function: String
}

/// Bumped whenever a class dictionary changes, invalidating cached class lookups.
@exclusivity(unchecked) nonisolated(unsafe) var classVersion = 0

/// A user-visible class: builtin types, user classes and exception classes alike.
public final class PyClass: PyObject {
    public let name: String
    public let base: PyClass?
    /// Any change to any class dictionary invalidates every class's lookup cache.
    public var dict: AttrTable { didSet { classVersion &+= 1 } }
    /// Lookups the interpreter makes on every attribute access or construction, cached.
    final class Cache {
        @exclusivity(unchecked) var version = -1
        @exclusivity(unchecked) var hasProperties = false
        @exclusivity(unchecked) var setattr: Value? = nil
        @exclusivity(unchecked) var getattr: Value? = nil
        @exclusivity(unchecked) var initFn: Value? = nil
        @exclusivity(unchecked) var newFn: Value? = nil
        @exclusivity(unchecked) var frozen = false
        @exclusivity(unchecked) var isException = false
        /// The plain script `__init__` that `C(args)` can run straight into a new frame: set
        /// for user classes without `__new__` that are not exceptions.
        @exclusivity(unchecked) var directInit: PyFunction? = nil { didSet { directInitRef = directInit.map { Unmanaged.passUnretained($0) } } }
        /// `directInit` without a reference of its own (that one keeps the function alive).
        @exclusivity(unchecked) var directInitRef: Unmanaged<PyFunction>? = nil
    }
    let cache = Cache()
    @inline(__always) var cached: Cache {
        if cache.version != classVersion { refreshCache() }
        return cache
    }
    /// Whether any class on the chain defines a property. Reads the cache in place, so the
    /// hot attribute paths take no reference to the cache object.
    @inline(__always) var anyProperties: Bool {
        if cache.version != classVersion { refreshCache() }
        return cache.hasProperties
    }
    /// Whether `obj.name = v` on an instance is a plain store: no properties, no
    /// `__setattr__`, not frozen.
    @inline(__always) var plainAttributeStores: Bool {
        if cache.version != classVersion { refreshCache() }
        if case .some = cache.setattr { return false }
        return !cache.hasProperties && !cache.frozen
    }
    func refreshCache() {
        var props = false
        for c in mro { for (_, v) in c.dict { if case .obj(let o) = v, o is PyProperty { props = true } } }
        cache.hasProperties = props
        cache.setattr = lookup("__setattr__")
        cache.getattr = lookup("__getattr__")
        cache.initFn = lookup("__init__")
        cache.newFn = lookup("__new__")
        cache.frozen = dict["__frozen__"] != nil
        cache.isException = isSubclass(of: Builtins.baseException)
        cache.directInit = nil
        if isUserLike && !cache.isException, cache.newFn == nil || !Self.isScriptNew(cache.newFn!),
           case .obj(let io)? = cache.initFn { cache.directInit = io.exactly(PyFunction.self) }
        cache.version = classVersion
    }
    /// Whether a `__new__` found on the class is script code (then construction must call it).
    static func isScriptNew(_ v: Value) -> Bool {
        if case .obj(let nf) = v { return nf is PyStaticMethod || nf is PyFunction }
        return false
    }
    /// Whether the lookup cache is current and no class on the chain defines a property. A
    /// plain check with no call, so hot paths can ask it about a borrowed instance; false
    /// when the cache is stale (the general path then refreshes it).
    @inline(__always) var knownPropertyFree: Bool {
        cache.version == classVersion && !cache.hasProperties
    }
    /// Like `plainAttributeStores`, but false instead of refreshing a stale cache.
    @inline(__always) var knownPlainStores: Bool {
        if cache.version != classVersion || cache.hasProperties || cache.frozen { return false }
        if case .some = cache.setattr { return false }
        return true
    }
    public var module: String = "builtins"
    /// The native constructor of a builtin type, remembered after its first lookup by name.
    @exclusivity(unchecked) var constructor: NativeFn? = nil
    /// Identifies builtin types whose instances are Swift objects rather than `PyInstance`.
    public var builtinTag: String? = nil
    public var doc: String? = nil
    /// Dataclass field names in order, if decorated with @dataclass.
    public var dataclassFields: [String]? = nil
    public init(name: String, base: PyClass?, dict: [String: Value] = [:]) {
        self.name = name; self.base = base; self.dict = AttrTable(dict)
    }
    public override var pyClass: PyClass { Builtins.typeClass }

    /// Looks up an attribute along the single-inheritance chain.
    @inline(__always) public func lookup(_ n: String) -> Value? {
        var c: PyClass? = self
        while let k = c {
            if let v = k.dict[n] { return v }
            c = k.base
        }
        return nil
    }
    public func isSubclass(of other: PyClass) -> Bool {
        var c: PyClass? = self
        while let k = c { if k === other { return true }; c = k.base }
        return false
    }
    public var mro: [PyClass] {
        var out: [PyClass] = []; var c: PyClass? = self
        while let k = c { out.append(k); c = k.base }
        return out
    }
    /// Whether instances use the generic attribute-dict representation.
    public var isUserLike: Bool { builtinTag == nil }
}

/// An instance of a user class (or of an exception class).
public final class PyInstance: PyObject {
    public let cls: PyClass
    @exclusivity(unchecked) public var attrs = AttrTable()
    /// What only exceptions use, kept apart so that ordinary instances are created and freed
    /// without touching it.
    final class ExceptionState {
        var traceback: [TraceEntry] = []
        var cause: PyInstance? = nil
        var context: PyInstance? = nil
        var suppressContext = false
    }
    @exclusivity(unchecked) var exceptionState: ExceptionState? = nil
    @inline(__always) var exception: ExceptionState {
        if let s = exceptionState { return s }
        let s = ExceptionState(); exceptionState = s; return s
    }
    /// Traceback entries appended as an exception propagates (innermost first).
    public var traceback: [TraceEntry] {
        get { exceptionState?.traceback ?? [] }
        set { exception.traceback = newValue }
    }
    public var cause: PyInstance? {
        get { exceptionState?.cause }
        set { exception.cause = newValue }
    }
    public var context: PyInstance? {
        get { exceptionState?.context }
        set { exception.context = newValue }
    }
    public var suppressContext: Bool {
        get { exceptionState?.suppressContext ?? false }
        set { exception.suppressContext = newValue }
    }
    public init(_ cls: PyClass) { self.cls = cls }
    public override var pyClass: PyClass { cls }
}

/// Attributes of an instance or class, in insertion order. Objects have few attributes and
/// their names are short (stored inline by Swift), so a linear scan beats hashing.
public struct AttrTable: Sequence {
    struct Bits: Equatable { var a: UInt64; var b: UInt64 }
    /// One attribute. `bits` is the key's raw representation: short names are stored inline
    /// in a String, so equal short names have equal bits and most lookups compare no text.
    struct Entry { var bits: Bits; var key: String; var value: Value }
    var entries: [Entry] = []
    @inline(__always) static func bits(_ s: String) -> Bits { unsafeBitCast(s, to: Bits.self) }
    public init() {}
    public init(_ d: [String: Value]) {
        for (k, v) in d.sorted(by: { $0.key < $1.key }) { entries.append(Entry(bits: AttrTable.bits(k), key: k, value: v)) }
    }
    public var keys: [String] { entries.map { $0.key } }
    @inline(__always) func index(_ k: String) -> Int? {
        let kb = AttrTable.bits(k)
        let n = entries.count
        var i = 0
        while i < n { if entries[i].bits == kb { return i }; i += 1 }
        if k.utf8.count > 15 { i = 0; while i < n { if entries[i].key == k { return i }; i += 1 } }
        return nil
    }
    public subscript(_ k: String) -> Value? {
        @inline(__always) get { if let i = index(k) { return entries[i].value }; return nil }
        set {
            if let v = newValue {
                if let i = index(k) { entries[i].value = v } else {
                    if entries.isEmpty { entries.reserveCapacity(4) }
                    entries.append(Entry(bits: AttrTable.bits(k), key: k, value: v))
                }
            } else { _ = removeValue(forKey: k) }
        }
    }
    /// Stores `v` under `k`: in place when the attribute exists (the common case on hot
    /// paths, kept inline), else through the general setter.
    @inline(__always) mutating func update(_ k: String, _ v: Value) {
        if let i = index(k) { entries[i].value = v } else { append(k, v) }
    }
    /// Adds `k`, known to be absent.
    mutating func append(_ k: String, _ v: Value) {
        if entries.isEmpty { entries.reserveCapacity(4) }
        entries.append(Entry(bits: AttrTable.bits(k), key: k, value: v))
    }
    @discardableResult public mutating func removeValue(forKey k: String) -> Value? {
        guard let i = index(k) else { return nil }
        return entries.remove(at: i).value
    }
    public var ordered: [(String, Value)] { entries.map { ($0.key, $0.value) } }
    public var count: Int { entries.count }
    public func makeIterator() -> IndexingIterator<[(key: String, value: Value)]> {
        entries.map { (key: $0.key, value: $0.value) }.makeIterator()
    }
}

/// The list type.
public final class PyList: PyObject {
    @exclusivity(unchecked) public var items: [Value]
    public init(_ items: [Value] = []) { self.items = items }
    public override var pyClass: PyClass { Builtins.listClass }
}

/// The tuple type.
public final class PyTuple: PyObject {
    public let items: [Value]
    public init(_ items: [Value]) { self.items = items }
    public override var pyClass: PyClass { Builtins.tupleClass }
}

/// A hashable key wrapper giving Python's equality and hashing to dictionary and set keys.
public struct HKey: Hashable {
    public let v: Value
    public init(_ v: Value) { self.v = v }
    @inline(__always) public static func == (a: HKey, b: HKey) -> Bool {
        // Keys of one type compare here; mixed and object keys go through the general rules.
        if case .int(let x) = a.v, case .int(let y) = b.v { return x == y }
        if case .str(let x) = a.v, case .str(let y) = b.v { return x == y }
        return keyEquals(a.v, b.v)
    }
    public func hash(into h: inout Hasher) { Script.hashValue(v, into: &h) }
    /// Dictionaries and sets ask for this rather than `hash(into:)`. Integers (and the bools
    /// and integral floats equal to them) get a cheap multiplicative mix instead of a full
    /// SipHash round, which dominated int-keyed dict work; other keys hash as before.
    @inline(__always) public func _rawHashValue(seed: Int) -> Int {
        // Int keys are mixed where the table asks; everything else out of line.
        if case .int(let i) = v { return HKey.mix(i, seed) }
        return otherRawHash(seed)
    }
    func otherRawHash(_ seed: Int) -> Int {
        switch v {
        case .int(let i): return HKey.mix(i, seed)
        case .bool(let b): return HKey.mix(b ? 1 : 0, seed)
        case .none: return HKey.mix(0, seed)
        case .float(let d) where d == d.rounded() && abs(d) < 9.2e18: return HKey.mix(Int(d), seed)
        case .str(let s): return s._rawHashValue(seed: seed)
        default:
            var h = Hasher()
            h.combine(seed)
            hash(into: &h)
            return h.finalize()
        }
    }
    /// A 64-bit finalizer mix (xor-shift-multiply), keyed by the table's seed.
    @inline(__always) static func mix(_ i: Int, _ seed: Int) -> Int {
        var x = UInt64(bitPattern: Int64(i)) ^ UInt64(bitPattern: Int64(seed))
        x = (x ^ (x >> 33)) &* 0xff51_afd7_ed55_8ccd
        x = (x ^ (x >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return Int(bitPattern: UInt(x ^ (x >> 33)))
    }
}

func keyEquals(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.str(let x), .str(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.none, .none): return true
    case (.obj(let x), .obj(let y)):
        if x === y { return true }
        if let p = x as? PyTuple, let q = y as? PyTuple {
            return p.items.count == q.items.count && zip(p.items, q.items).allSatisfy { keyEquals($0, $1) }
        }
        if let p = x as? PyFrozenSet, let q = y as? PyFrozenSet {
            return p.set.count == q.set.count && p.set.index.keys.allSatisfy { q.set.index[$0] != nil }
        }
        if let p = x as? PyInstance, p.cls.lookup("__eq__") != nil {
            return (try? Interp.truthy(Interp.compare(.eq, a, b))) ?? false
        }
        return false
    default:
        if let x = numericValue(a), let y = numericValue(b) { return x == y }
        return false
    }
}

func numericValue(_ v: Value) -> Double? {
    switch v {
    case .int(let i): return Double(i)
    case .float(let d): return d
    case .bool(let b): return b ? 1 : 0
    default: return nil
    }
}

func hashValue(_ v: Value, into h: inout Hasher) {
    switch v {
    case .none: h.combine(0)
    case .bool(let b): h.combine(b ? 1 : 0)
    case .int(let i): h.combine(i)
    case .float(let d): if d == d.rounded(), abs(d) < 9.2e18 { h.combine(Int(d)) } else { h.combine(d) }
    case .str(let s): h.combine(s)
    case .obj(let o):
        if let t = o as? PyTuple { h.combine(t.items.count); for x in t.items { hashValue(x, into: &h) } }
        else if let f = o as? PyFrozenSet { h.combine(f.set.storage.count) }
        else if let inst = o as? PyInstance, inst.cls.lookup("__hash__") != nil,
                let r = try? Interp.callMethod(v, "__hash__", []), case .int(let i) = r { h.combine(i) }
        else { h.combine(ObjectIdentifier(o)) }
    }
}

/// An insertion-ordered dictionary keyed by script values.
public final class PyDict: PyObject {
    @exclusivity(unchecked) public var storage: [HKey: Int] = [:]
    @exclusivity(unchecked) public var keys: [Value?] = []
    @exclusivity(unchecked) public var vals: [Value] = []
    @exclusivity(unchecked) public var live = 0
    /// Set for defaultdict: called to make a missing value.
    public var defaultFactory: Value? = nil
    public var kind: DictKind = .plain
    public enum DictKind { case plain, defaultdict, counter, ordered }
    public override init() {}
    public override var pyClass: PyClass {
        switch kind {
        case .plain: return Builtins.dictClass
        case .defaultdict: return Builtins.defaultdictClass
        case .counter: return Builtins.counterClass
        case .ordered: return Builtins.orderedDictClass
        }
    }
    public var count: Int { live }
    @inline(__always) public func get(_ k: Value) -> Value? {
        if let i = storage[HKey(k)] { return vals[i] }
        return nil
    }
    public func set(_ k: Value, _ v: Value) {
        // One probe of the hash table: the defaulting subscript's modify accessor inserts
        // the next position when the key is new, and an existing key keeps its position
        // (always below `keys.count`), so the position read back says which happened.
        let n = keys.count
        let i = PyDict.position(&storage[HKey(k), default: n])
        if i < n { vals[i] = v; return }
        keys.append(k); vals.append(v); live += 1
    }
    @inline(__always) static func position(_ p: inout Int) -> Int { p }
    @discardableResult public func remove(_ k: Value) -> Value? {
        guard let i = storage.removeValue(forKey: HKey(k)) else { return nil }
        keys[i] = nil; live -= 1
        let v = vals[i]
        if keys.count > 32 && live * 2 < keys.count { compact() }
        return v
    }
    func compact() {
        var nk: [Value?] = []; var nv: [Value] = []
        storage.removeAll(keepingCapacity: true)
        for (i, k) in keys.enumerated() { if let k = k { storage[HKey(k)] = nk.count; nk.append(k); nv.append(vals[i]) } }
        keys = nk; vals = nv
    }
    public func clear() { storage = [:]; keys = []; vals = []; live = 0 }
    public var orderedKeys: [Value] { keys.compactMap { $0 } }
    public var items: [(Value, Value)] {
        var out: [(Value, Value)] = []; out.reserveCapacity(live)
        for (i, k) in keys.enumerated() { if let k = k { out.append((k, vals[i])) } }
        return out
    }
    public func copy() -> PyDict {
        let d = PyDict(); d.kind = kind; d.defaultFactory = defaultFactory
        for (k, v) in items { d.set(k, v) }
        return d
    }
}

/// The set type (iteration follows insertion order).
public final class PySet: PyObject {
    @exclusivity(unchecked) public var set = OrderedSet()
    public override init() {}
    public override var pyClass: PyClass { Builtins.setClass }
}
/// The frozenset type.
public final class PyFrozenSet: PyObject {
    public var set = OrderedSet()
    public override init() {}
    public override var pyClass: PyClass { Builtins.frozensetClass }
}

/// Insertion-ordered hash set used by set and frozenset: one hash table from element to its
/// position in `order` (removed elements leave a nil hole until the next compaction).
public struct OrderedSet {
    public var order: [Value?] = []
    public var index: [HKey: Int] = [:]
    public init() {}
    public var count: Int { index.count }
    /// The elements as a Swift set, for the subset/superset/equality questions.
    public var storage: Set<HKey> { Set(index.keys) }
    public func contains(_ v: Value) -> Bool { index[HKey(v)] != nil }
    public mutating func insert(_ v: Value) {
        // One probe: a new element gets the next position, an existing one keeps its own.
        let n = order.count
        if PyDict.position(&index[HKey(v), default: n]) == n { order.append(v) }
    }
    @discardableResult public mutating func remove(_ v: Value) -> Bool {
        guard let i = index.removeValue(forKey: HKey(v)) else { return false }
        order[i] = nil
        if order.count > 32 && index.count * 2 < order.count {
            let live = order.compactMap { $0 }; order = []; index = [:]
            for x in live { index[HKey(x)] = order.count; order.append(x) }
        }
        return true
    }
    /// Elements in the order CPython's hash table would list them: for sets of integers that
    /// is by value modulo the table size; other values keep insertion order.
    public var elements: [Value] {
        let live = order.compactMap { $0 }
        var ints: [(Int, Int)] = []
        ints.reserveCapacity(live.count)
        for (k, v) in live.enumerated() { guard case .int(let i) = v, i >= 0 else { return live }; ints.append((i, k)) }
        var mask = 7, fill = 0
        for _ in live { fill += 1; if fill * 5 >= mask * 3 { var n = 8; while n <= fill * 4 { n <<= 1 }; mask = n - 1 } }
        ints.sort { ($0.0 & mask, $0.1) < ($1.0 & mask, $1.1) }
        return ints.map { .int($0.0) }
    }
}

/// range(start, stop, step).
public final class PyRange: PyObject {
    public let start: Int, stop: Int, step: Int
    public init(_ a: Int, _ b: Int, _ s: Int) { start = a; stop = b; step = s }
    public override var pyClass: PyClass { Builtins.rangeClass }
    public var count: Int {
        // Computed in unsigned arithmetic so extreme bounds cannot overflow.
        if step > 0 { return stop > start ? Int(clamping: (UInt(bitPattern: stop &- start) - 1) / UInt(step) + 1) : 0 }
        return start > stop ? Int(clamping: (UInt(bitPattern: start &- stop) - 1) / UInt(bitPattern: 0 &- step) + 1) : 0
    }
}

/// slice(start, stop, step).
public final class PySlice: PyObject {
    public let start: Value, stop: Value, step: Value
    public init(_ a: Value, _ b: Value, _ c: Value) { start = a; stop = b; step = c }
    public override var pyClass: PyClass { Builtins.sliceClass }
}

/// A closure cell shared between a frame and the functions defined inside it.
public final class PyCell {
    @exclusivity(unchecked) public var value: Value?
    public init(_ v: Value? = nil) { value = v }
}

/// Signature of builtin functions: positional arguments and keyword arguments in call order.
public typealias NativeFn = (_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value

/// A function implemented in Swift.
public final class PyBuiltin: PyObject {
    public let name: String
    public let fn: NativeFn
    public var doc: String?
    public init(_ name: String, doc: String? = nil, _ fn: @escaping NativeFn) { self.name = name; self.fn = fn; self.doc = doc }
    public override var pyClass: PyClass { Builtins.builtinFunctionClass }
}

/// A user function: its code plus the closure, defaults and globals it was created with.
public final class PyFunction: PyObject {
    let code: FunctionCode
    let globals: Globals
    var defaults: [Value]
    var kwDefaults: [String: Value]
    let closure: [PyCell]
    public var name: String
    public var qualname: String
    public var attrs: [String: Value] = [:]
    /// The class whose body defined this function, for zero-argument super().
    var definingClass: PyClass? = nil
    init(code: FunctionCode, globals: Globals, defaults: [Value], kwDefaults: [String: Value], closure: [PyCell]) {
        self.code = code; self.globals = globals; self.defaults = defaults; self.kwDefaults = kwDefaults; self.closure = closure
        self.name = code.name; self.qualname = code.qualname
    }
    public override var pyClass: PyClass { Builtins.functionClass }
}

/// A function bound to the object it was looked up on.
public final class PyBoundMethod: PyObject {
    public let selfValue: Value
    public let function: Value
    public init(_ s: Value, _ f: Value) { selfValue = s; function = f }
    public override var pyClass: PyClass { Builtins.methodClass }
}

/// staticmethod / classmethod / property wrappers stored in class dicts.
public final class PyStaticMethod: PyObject {
    public let function: Value
    public init(_ f: Value) { function = f }
}
public final class PyClassMethod: PyObject {
    public let function: Value
    public init(_ f: Value) { function = f }
}
public final class PyProperty: PyObject {
    public var getter: Value?, setter: Value?
    public init(_ g: Value?, _ s: Value?) { getter = g; setter = s }
    public override var pyClass: PyClass { Builtins.propertyClass }
}

/// A module: a named attribute namespace.
public final class PyModule: PyObject {
    public let name: String
    public var attrs: [String: Value]
    public var doc: String?
    public init(_ name: String, _ attrs: [String: Value] = [:], doc: String? = nil) { self.name = name; self.attrs = attrs; self.doc = doc }
    public override var pyClass: PyClass { Builtins.moduleClass }
}

/// An iterator implemented in Swift: `next` returns nil when exhausted.
public final class PyIterator: PyObject {
    public let next: () throws -> Value?
    public let typeName: String
    public init(_ typeName: String = "iterator", _ next: @escaping () throws -> Value?) { self.typeName = typeName; self.next = next }
    public override var pyClass: PyClass { typeName == "generator" ? Builtins.generatorClass : Builtins.iteratorClass }
}

/// A Swift object exposed to scripts (tensors, tokenizers, models…) through `NativeObject`.
public final class PyNative: PyObject {
    public let object: NativeObject
    public init(_ o: NativeObject) { object = o }
    public override var pyClass: PyClass { (object as? ScriptClassProviding)?.scriptClass ?? Builtins.objectClass }
}

/// What a Swift object implements to be usable from scripts: attribute access, calling,
/// a type name for reprs and errors, and a docstring for help().
public protocol NativeObject: AnyObject {
    /// The script-visible type name, e.g. "Tensor".
    var typeName: String { get }
    /// Returns the attribute's value, or nil when there is no such attribute.
    func getAttribute(_ name: String) throws -> Value?
    /// Assigns an attribute; return false if the attribute cannot be set.
    func setAttribute(_ name: String, _ value: Value) throws -> Bool
    /// Calls the object; objects that are not callable throw a TypeError.
    func call(_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value
    /// repr() text.
    func repr() throws -> String
    /// Help text for help() and the kernel's inspect.
    var doc: String? { get }
    /// Names listed by dir().
    var attributeNames: [String] { get }
}

extension NativeObject {
    public func setAttribute(_ name: String, _ value: Value) throws -> Bool { false }
    public func call(_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value {
        throw Interp.typeError("'\(typeName)' object is not callable")
    }
    public func repr() throws -> String { "<\(typeName) object>" }
    public var doc: String? { nil }
    public var attributeNames: [String] { [] }
}

extension Value {
    @inline(__always) var isNone: Bool { if case .none = self { return true }; return false }
    static let True = Value.bool(true)
    static let False = Value.bool(false)
    static func tuple(_ items: [Value]) -> Value { .obj(PyTuple(items)) }
    static func list(_ items: [Value]) -> Value { .obj(PyList(items)) }
}
