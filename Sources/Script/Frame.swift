/// Interrupt flag shared by every front-end: set from another thread, checked at loop
/// back-edges, calls and inside long native work.
@exclusivity(unchecked) nonisolated(unsafe) public var interruptRequested = false

/// Raises KeyboardInterrupt if an interrupt is pending, clearing the flag.
@inline(__always) func checkInterrupt() throws {
    if interruptRequested { interruptRequested = false; throw Interp.error("KeyboardInterrupt", nil) }
}

/// Source text of one file or cell, kept so tracebacks can quote lines.
public final class SourceFile {
    public let name: String
    public let lines: [String]
    public init(name: String, text: String) {
        self.name = name
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
    public func line(_ n: Int) -> String? { n >= 1 && n <= lines.count ? lines[n - 1] : nil }
}

/// A module's global namespace. Names get fixed slots when code is compiled so that global
/// reads are array loads; `index` maps names to slots for dynamic access.
public final class Globals {
    @exclusivity(unchecked) var index: [String: Int] = [:]
    @exclusivity(unchecked) var names: [String] = []
    /// Values by slot, in a raw buffer like a frame's locals: a read is one load, with no
    /// array bookkeeping. Slots past `names.count` are uninitialized spare capacity.
    @exclusivity(unchecked) private(set) var values: UnsafeMutablePointer<Value?>
    @exclusivity(unchecked) private var capacity: Int
    public let moduleName: String
    public init(moduleName: String = "__main__") {
        self.moduleName = moduleName
        capacity = 64
        values = UnsafeMutablePointer<Value?>.allocate(capacity: capacity)
    }
    deinit {
        values.deinitialize(count: names.count)
        values.deallocate()
    }
    func slot(_ name: String) -> Int {
        if let i = index[name] { return i }
        let n = names.count
        if n == capacity {
            let grown = UnsafeMutablePointer<Value?>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: values, count: n)
            values.deallocate()
            values = grown
            capacity *= 2
        }
        (values + n).initialize(to: nil)
        index[name] = n; names.append(name)
        return n
    }
    /// The object held in global `slot`, without taking a reference (see
    /// `Frame.unretainedObject`).
    @inline(__always) func unretainedObject(_ slot: Int) -> Unmanaged<PyObject>? {
        let p = values + slot
        guard case .obj? = p.pointee else { return nil }
        return UnsafeRawPointer(p).load(as: Unmanaged<PyObject>.self)
    }
    public subscript(name: String) -> Value? {
        get { index[name].flatMap { values[$0] } }
        set { values[slot(name)] = newValue }
    }
    /// The defined names in definition order.
    public var definedNames: [String] { names.enumerated().compactMap { values[$0.offset] == nil ? nil : $0.element } }
}

/// Compiled form of a function body (also used for lambdas, generator expressions and modules).
final class FunctionCode {
    var name: String
    var qualname: String
    var params: [String] = []          // positional params (incl. positional-only) in order
    var posOnlyCount = 0
    var kwOnly: [String] = []
    var varArgs: String? = nil
    var varKw: String? = nil
    var body: [Stmt] = [] { didSet { storeStatements() } }
    /// `body` again, as references the code owns in a buffer of its own: running a frame
    /// walks it without retaining an array or any statement (see `Interp.runBody`).
    private(set) var statements = UnsafeMutableBufferPointer<Unmanaged<Stmt>>(start: nil, count: 0)
    var nlocals = 0
    var localNames: [String] = []
    /// Cells this function creates (its captured locals), then free variables from the closure.
    var cellNames: [String] = []
    var freeNames: [String] = []
    var freeSources: [String] = []
    /// For each param slot that is captured, the cell index it moves to at entry.
    var paramCells: [(slot: Int, cell: Int)] = []
    var isGenerator = false
    var doc: String? = nil
    var source: SourceFile
    var firstLine: Int
    /// Slots of positional params, kwonly params, *args, **kwargs (always the first locals).
    var simplePositional: Bool { varArgs == nil && varKw == nil && kwOnly.isEmpty }
    /// The argument count of a call that can bind straight into the frame's first slots (a
    /// plain function with only positional parameters), or -1. Set by the resolver.
    var fastArity = -1
    /// Whether the body names `super`: only then does a running frame need its function
    /// (zero-argument `super()` finds the defining class through it). Set by the resolver.
    var usesSuper = true
    /// Whether a direct call may lend the first argument to the frame without a reference of
    /// its own (see `Interp.callDirect`): the body never assigns or deletes that parameter,
    /// so the slot still holds the lent value when the call ends. Set by the resolver.
    var receiverBorrowable = false
    /// Whether the generator body can run without its own thread (see ResumableRunner).
    lazy var resumable: Bool = ResumableRunner.supports(body)
    /// Finished frames kept for reuse, most calls then allocate nothing: a list linked
    /// through `Frame.nextFree`, each frame held by one reference the list owns. Taking a
    /// frame out or putting one back moves that reference, with no counting.
    @exclusivity(unchecked) var freeFrames: Unmanaged<Frame>? = nil
    @exclusivity(unchecked) var freeFrameCount = 0
    init(name: String, qualname: String, source: SourceFile, firstLine: Int) {
        self.name = name; self.qualname = qualname; self.source = source; self.firstLine = firstLine
    }
    deinit {
        releaseStatements()
        while let u = freeFrames { freeFrames = u._withUnsafeGuaranteedRef { $0.nextFree }; u.release() }
    }
    private func storeStatements() {
        releaseStatements()
        let p = UnsafeMutablePointer<Unmanaged<Stmt>>.allocate(capacity: max(body.count, 1))
        for (i, s) in body.enumerated() { (p + i).initialize(to: Unmanaged.passRetained(s)) }
        statements = UnsafeMutableBufferPointer(start: p, count: body.count)
    }
    private func releaseStatements() {
        guard let p = statements.baseAddress else { return }
        for u in statements { u.release() }
        p.deallocate()
        statements = UnsafeMutableBufferPointer(start: nil, count: 0)
    }
}

/// Control-flow outcome of executing a statement.
enum Flow { case normal, brk, cont, ret }

/// Activation record: fast local slots, closure cells, and the module globals.
final class Frame {
    /// Fast local slots. A raw buffer rather than an array: slot indexes come from the
    /// resolver and are always in range, and stores then need no uniqueness check.
    let locals: UnsafeMutablePointer<Value?>
    let nlocals: Int
    @exclusivity(unchecked) var cells: [PyCell]
    let globals: Globals
    /// Namespace of a class body being executed, else nil.
    @exclusivity(unchecked) var classNS: [String: Value]? = nil
    @exclusivity(unchecked) var retval: Value = .none
    let code: FunctionCode
    @exclusivity(unchecked) var line = 0
    @exclusivity(unchecked) var function: PyFunction? = nil
    @exclusivity(unchecked) var generator: GeneratorState? = nil
    /// The exception currently being handled (for bare `raise` and implicit chaining).
    @exclusivity(unchecked) var handling: PyInstance? = nil
    init(code: FunctionCode, globals: Globals) {
        self.code = code; self.globals = globals
        nlocals = code.nlocals
        locals = UnsafeMutablePointer<Value?>.allocate(capacity: max(nlocals, 1))
        locals.initialize(repeating: nil, count: nlocals)
        cells = []
    }
    deinit {
        locals.deinitialize(count: nlocals)
        locals.deallocate()
    }

    /// While the frame sits in its code's free list: the next frame there.
    @exclusivity(unchecked) var nextFree: Unmanaged<Frame>? = nil

    /// A frame for a direct call of `code`, from the pool when one is free, as one reference
    /// the caller owns and hands back with `relinquish`. Only frames that cannot outlive
    /// their call come from here: those of plain (non-generator) functions, which nothing
    /// but the running call refers to, so giving one back can reuse it at once.
    @inline(__always) static func acquire(_ code: FunctionCode, _ globals: Globals) -> Unmanaged<Frame> {
        if let u = code.freeFrames {
            let reusable = u._withUnsafeGuaranteedRef { f -> Bool in
                code.freeFrames = f.nextFree
                f.nextFree = nil
                return f.globals === globals && f.nlocals == code.nlocals
            }
            code.freeFrameCount -= 1
            if reusable { return u }
            u.release()
        }
        return Unmanaged.passRetained(Frame(code: code, globals: globals))
    }

    /// Ends a direct call's use of its frame: clears it and puts it back in the pool (the
    /// caller's reference becomes the pool's), or frees it when the pool is full.
    @inline(__always) static func relinquish(_ u: Unmanaged<Frame>) {
        let pooled = u._withUnsafeGuaranteedRef { frame -> Bool in
            let n = frame.nlocals
            var i = 0
            while i < n { frame.locals[i] = nil; i += 1 }
            if !frame.cells.isEmpty { frame.cells = [] }
            frame.retval = .none
            frame.function = nil
            frame.handling = nil
            // The frame keeps its code alive, so the code is used without a reference.
            return Unmanaged.passUnretained(frame.code)._withUnsafeGuaranteedRef { c -> Bool in
                if c.freeFrameCount >= 16 { return false }
                frame.nextFree = c.freeFrames
                c.freeFrames = u
                c.freeFrameCount += 1
                return true
            }
        }
        if !pooled { u.release() }
    }
    /// The value the frame's code returned, moved out of the frame (no copy to count).
    @inline(__always) func takeReturnValue() -> Value {
        var r = Value.none
        swap(&r, &retval)
        return r
    }
}

extension Frame {
    /// The object held in local `slot`, without taking a reference to it; nil when the slot
    /// holds no object. Reading the payload through a `Value` copy costs the runtime an
    /// atomic retain and release per copy, and the optimizer makes several copies on the
    /// attribute and method paths; this reads the object pointer where it lies (an enum's
    /// payload starts at offset 0). The caller must not keep the reference past any point
    /// where this frame's code could rebind the slot.
    @inline(__always) func unretainedObject(_ slot: Int) -> Unmanaged<PyObject>? {
        let p = locals + slot
        guard case .obj? = p.pointee else { return nil }
        return UnsafeRawPointer(p).load(as: Unmanaged<PyObject>.self)
    }
}

extension Unmanaged where Instance == PyObject {
    /// The borrowed object as a borrowed `T` if it is exactly of class `T` (see
    /// `PyObject.exactly`), still without a reference.
    @inline(__always) func exactly<T: PyObject>(_ t: T.Type) -> Unmanaged<T>? {
        let match = _withUnsafeGuaranteedRef { ObjectIdentifier(type(of: $0)) == ObjectIdentifier(t) }
        return match ? Unmanaged<T>.fromOpaque(toOpaque()) : nil
    }
}

/// The fast local slot an expression reads when it is a plain local name, else -1. Names are
/// resolved after the tree is built, so nodes ask this on first execution and keep the answer.
@inline(__always) func localSlot(of e: Expr) -> Int {
    if let n = e as? Name, case .fast(let i) = n.ref { return i }
    return -1
}
