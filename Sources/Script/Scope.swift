/// Compile-time scope information gathered while parsing, used to resolve every name to a
/// fast slot, a closure cell, a global slot or a class-body lookup.
final class Scope {
    enum Kind { case module, function, classBody, inline, genexp }
    let kind: Kind
    weak var parent: Scope?
    var children: [Scope] = []
    var uses: [Name] = []
    var bound: [String] = []          // in binding order (params first for functions)
    var boundSet: Set<String> = []
    var globals: Set<String> = []
    var nonlocals: Set<String> = []
    var cells: [String] = []
    var frees: [String] = []
    /// For each free variable, the key of the variable in the enclosing host it comes from.
    var freeSources: [String] = []
    var code: FunctionCode?
    let id: Int
    var hasYield = false
    static var counter = 0
    init(_ kind: Kind, parent: Scope?, code: FunctionCode?) {
        self.kind = kind; self.parent = parent; self.code = code
        Scope.counter += 1; id = Scope.counter
        parent?.children.append(self)
    }
    /// Names bound more than once: for a function, the parameters its body assigns or deletes.
    var rebound: Set<String> = []
    func bind(_ n: String) {
        if !boundSet.contains(n) { boundSet.insert(n); bound.append(n) } else { rebound.insert(n) }
    }
    /// The scope whose frame holds this scope's variables.
    var host: Scope { kind == .inline ? parent!.host : self }
    func mangled(_ n: String) -> String { "\(n)@\(id)" }
}

/// Resolves the names of a parsed module against its scope tree.
struct Resolver {
    let globals: Globals

    /// Finds which host scope and variable key a name used in `s` refers to, looking through
    /// inline comprehension scopes first.
    func lookupKey(_ name: String, _ s: Scope) -> (Scope, String) {
        var sc = s
        while sc.kind == .inline {
            if sc.boundSet.contains(name) { return (sc.host, sc.mangled(name)) }
            sc = sc.parent!
        }
        return (sc, name)
    }

    func isLocal(_ key: String, _ h: Scope, name: String) -> Bool {
        if h.globals.contains(name) || h.nonlocals.contains(name) { return false }
        if key != name { return true }
        return h.boundSet.contains(name)
    }

    func hostBinds(_ key: String, _ h: Scope) -> Bool {
        if key.contains("@") { return true }
        return h.boundSet.contains(key) && !h.globals.contains(key) && !h.nonlocals.contains(key)
    }

    /// Finds `name` in scopes enclosing host `h`; marks cells/frees along the way.
    /// Returns true if it is a closure variable, false if global.
    @discardableResult
    func resolveFree(_ name: String, from h: Scope) throws -> Bool {
        var p = h.parent
        while let ps = p {
            let (ph, key) = lookupKey(name, ps)
            if ph.kind == .module {
                if key != name { ph.addCell(key); h.addFree(name, source: key); return true }
                return false
            }
            if ph.kind == .classBody && key == name { p = ph.parent; continue }
            if ph.globals.contains(name) { return false }
            if hostBinds(key, ph) { ph.addCell(key); h.addFree(name, source: key); return true }
            // Not bound there: it must come from further out, passing through ph.
            if try resolveFree(name, from: ph) { ph.addFree(key); h.addFree(name, source: key); return true }
            return false
        }
        return false
    }

    func collectHosts(_ s: Scope, _ out: inout [Scope]) {
        if s.kind != .inline { out.append(s) }
        for c in s.children { collectHosts(c, &out) }
    }
    func collectUses(_ s: Scope, _ out: inout [(Name, Scope)]) {
        for u in s.uses { out.append((u, s)) }
        for c in s.children where c.kind == .inline { collectUses(c, &out) }
    }

    func resolve(_ root: Scope) throws {
        var hosts: [Scope] = []
        collectHosts(root, &hosts)
        // Pass 1: nonlocal declarations, then find cells and free variables.
        for h in hosts {
            for n in h.nonlocals.sorted() {
                if h.kind == .module { throw SyntaxErrorInfo(message: "nonlocal declaration not allowed at module level", pos: SourcePos(line: h.code?.firstLine ?? 1, col: 1)) }
                if !(try resolveFree(n, from: h)) {
                    throw SyntaxErrorInfo(message: "no binding for nonlocal '\(n)' found", pos: SourcePos(line: h.code?.firstLine ?? 1, col: 1))
                }
            }
        }
        for h in hosts {
            var uses: [(Name, Scope)] = []
            collectUses(h, &uses)
            for (n, s) in uses {
                let (_, key) = lookupKey(n.name, s)
                if h.kind == .module && key == n.name { continue }
                if h.globals.contains(n.name) && key == n.name { continue }
                if isLocal(key, h, name: n.name) { continue }
                if h.kind == .classBody && h.boundSet.contains(n.name) { continue }
                try resolveFree(n.name, from: h)
            }
        }
        // Pass 2: slots and references.
        for h in hosts {
            guard let code = h.code else { continue }
            var slots: [String: Int] = [:]
            var names: [String] = []
            func slot(_ k: String) -> Int {
                if let i = slots[k] { return i }
                slots[k] = names.count; names.append(k); return names.count - 1
            }
            if h.kind == .function || h.kind == .genexp {
                for p in code.params { _ = slot(p) }
                for p in code.kwOnly { _ = slot(p) }
                if let v = code.varArgs { _ = slot(v) }
                if let v = code.varKw { _ = slot(v) }
            }
            var allKeys: [String] = []
            var inl: [Scope] = [h]
            var k = 0
            while k < inl.count { for c in inl[k].children where c.kind == .inline { inl.append(c) }; k += 1 }
            for s in inl {
                for b in s.bound {
                    let key = s === h ? b : s.mangled(b)
                    if s === h && (h.kind == .module || h.kind == .classBody) { continue }
                    if s === h && (h.globals.contains(b) || h.nonlocals.contains(b)) { continue }
                    allKeys.append(key)
                }
            }
            for key in allKeys { _ = slot(key) }
            code.nlocals = names.count
            code.fastArity = !code.isGenerator && code.simplePositional ? code.params.count : -1
            code.localNames = names
            code.cellNames = h.cells
            code.freeNames = h.frees
            code.freeSources = h.freeSources
            code.paramCells = []
            let paramCount = code.params.count + code.kwOnly.count + (code.varArgs == nil ? 0 : 1) + (code.varKw == nil ? 0 : 1)
            for (ci, c) in h.cells.enumerated() { if let s = slots[c], s < paramCount { code.paramCells.append((s, ci)) } }
            var uses: [(Name, Scope)] = []
            collectUses(h, &uses)
            code.usesSuper = uses.contains { $0.0.name == "super" }
            code.receiverBorrowable = h.kind == .function && code.fastArity > 0 && !h.rebound.contains(code.params[0])
            for (n, s) in uses {
                let (_, key) = lookupKey(n.name, s)
                if let ci = h.cells.firstIndex(of: key) { n.ref = .cell(ci); continue }
                if let fi = h.frees.firstIndex(of: key) { n.ref = .cell(h.cells.count + fi); continue }
                if key != n.name, let sl = slots[key] { n.ref = .fast(sl); continue }
                if h.globals.contains(n.name) { n.ref = .global(globals.slot(n.name)); continue }
                switch h.kind {
                case .module: n.ref = .global(globals.slot(n.name))
                case .classBody: n.ref = s === h ? .classBody(globals.slot(n.name)) : .global(globals.slot(n.name))
                default:
                    if let sl = slots[key] { n.ref = .fast(sl) } else { n.ref = .global(globals.slot(n.name)) }
                }
            }
        }
    }
}

extension Scope {
    func addCell(_ k: String) { if !cells.contains(k) { cells.append(k) } }
    func addFree(_ k: String, source: String? = nil) { if !frees.contains(k) { frees.append(k); freeSources.append(source ?? k) } }
}
