/// Decides, before rendering, how each frame's names read before they are assigned, following
/// Jinja's compiler (its `idtracking`): within a frame, a name first read resolves from the
/// render context (or the enclosing frame that knows it), a name first assigned is undefined
/// until assigned (or the enclosing frame's value), and a name first assigned inside an `if`
/// falls back to the enclosing frame or the context. So `{% for %}{{ x }}{% endfor %}{% set x = 1 %}` prints
/// nothing in the loop even when the context has `x`, as in Jinja.
enum FrameAnalysis {
    static func analyze(_ nodes: [TemplateNode], frame: FrameInfo) {
        let table = SymbolTable(parent: nil)
        var context = Context(owner: table)
        visit(nodes, table, &context)
        frame.initial = table.refs
        context.finish()
    }

    /// A frame being analyzed: its own table (the parent of the frames nested in it, whose
    /// analysis waits until this frame is complete, as in Jinja's compiler) and those frames.
    private struct Context {
        let owner: SymbolTable
        var nested: [() -> Void] = []

        func finish() { nested.forEach { $0() } }
    }

    private final class SymbolTable {
        let parent: SymbolTable?
        var refs: [String: InitialLoad] = [:]
        var stores: Set<String> = []
        var referenced: Set<String> = []

        init(parent: SymbolTable?) { self.parent = parent }

        func copy() -> SymbolTable {
            let t = SymbolTable(parent: parent)
            t.refs = refs
            t.stores = stores
            t.referenced = referenced
            return t
        }

        func knows(_ name: String) -> Bool { refs[name] != nil || (parent?.knows(name) ?? false) }

        func load(_ name: String) {
            if !knows(name) { refs[name] = .resolve }
            referenced.insert(name)
        }

        func store(_ name: String) {
            stores.insert(name)
            if refs[name] == nil { refs[name] = (parent?.knows(name) ?? false) ? .alias : .undefined }
        }

        /// Loop targets, macro parameters and the like: assigned on entry to the frame.
        func declare(_ name: String) {
            stores.insert(name)
            refs[name] = .alias
        }

        /// Jinja 3.1: a name first assigned inside an `if` branch reads, before that
        /// assignment, the enclosing frame's variable or the context, whichever branch ran.
        func mergeBranches(_ branches: [SymbolTable]) {
            var newlyStored = Set<String>()
            for b in branches { newlyStored.formUnion(b.stores) }
            newlyStored.subtract(stores)
            for b in branches {
                refs.merge(b.refs) { _, new in new }
                stores.formUnion(b.stores)
                referenced.formUnion(b.referenced)
            }
            for name in newlyStored {
                refs[name] = (parent?.knows(name) ?? false) ? .alias : .resolve
            }
        }
    }

    private static func frame(_ info: FrameInfo, _ c: inout Context, declaring names: [String] = [],
                              _ fill: @escaping (SymbolTable, inout Context) -> Void) {
        let parent = c.owner
        c.nested.append {
            let table = SymbolTable(parent: parent)
            for n in names { table.declare(n) }
            var inner = Context(owner: table)
            fill(table, &inner)
            info.initial = table.refs
            inner.finish()
            info.referenced = table.referenced
            parent.referenced.formUnion(table.referenced)
        }
    }

    private static func targetNames(_ target: AssignTarget) -> [String] {
        switch target {
        case .name(let n): return [n]
        case .tuple(let names): return names
        case .attribute: return []
        }
    }

    private static func store(_ target: AssignTarget, _ t: SymbolTable) {
        switch target {
        case .name(let n): t.store(n)
        case .tuple(let names): names.forEach(t.store)
        case .attribute(let n, _): t.load(n)
        }
    }

    private static func visit(_ nodes: [TemplateNode], _ t: SymbolTable, _ c: inout Context) {
        for node in nodes { visit(node, t, &c) }
    }

    private static func visit(_ node: TemplateNode, _ t: SymbolTable, _ c: inout Context) {
        switch node {
        case .text, .breakLoop, .continueLoop:
            break
        case .output(let e):
            visit(e, t)
        case .conditional(let branches, let otherwise):
            visitIf(branches[...], otherwise, t, &c)
        case .forLoop(let target, let iterable, let condition, let body, let otherwise, _, let info, let elseInfo):
            visit(iterable, t)
            frame(info, &c, declaring: targetNames(target) + ["loop"]) { inner, ic in
                if let condition { visit(condition, inner) }
                visit(body, inner, &ic)
            }
            frame(elseInfo, &c) { visit(otherwise, $0, &$1) }
        case .set(let target, let e, _):
            visit(e, t)
            store(target, t)
        case .setBlock(let target, _, let body, _, let info):
            store(target, t)
            frame(info, &c) { visit(body, $0, &$1) }
        case .macro(let name, let parameters, let body, let info):
            t.store(name)
            frame(info, &c, declaring: parameters.map { $0.0 } + ["caller", "varargs", "kwargs"]) { inner, ic in
                for (_, value) in parameters { if let value { visit(value, inner) } }
                visit(body, inner, &ic)
            }
        case .callBlock(let call, let parameters, let body, let info):
            visit(call, t)
            frame(info, &c, declaring: parameters.map { $0.0 } + ["caller", "varargs", "kwargs"]) { inner, ic in
                for (_, value) in parameters { if let value { visit(value, inner) } }
                visit(body, inner, &ic)
            }
        case .filterBlock(let filters, let body, _, let info):
            for (_, args) in filters { args.forEach { visit($0.value, t) } }
            frame(info, &c) { visit(body, $0, &$1) }
        case .with(let assignments, let body, _, let info):
            for (_, value) in assignments { visit(value, t) }
            frame(info, &c, declaring: assignments.flatMap { targetNames($0.0) }) { visit(body, $0, &$1) }
        case .generation(let body, let info):
            frame(info, &c) { visit(body, $0, &$1) }
        }
    }

    /// Jinja's `if` has a body, a list of `elif` ifs (each with no branches of its own) and an
    /// `else`; names assigned in some of those three but not all fall back to outer values.
    private static func visitIf(_ branches: ArraySlice<(TemplateExpression, [TemplateNode])>, _ otherwise: [TemplateNode],
                                _ t: SymbolTable, _ c: inout Context) {
        guard let (test, body) = branches.first else { return }
        visit(test, t)
        let bodyTable = t.copy()
        visit(body, bodyTable, &c)
        let elifTable = t.copy()
        for (elifTest, elifBody) in branches.dropFirst() {
            visit(elifTest, elifTable)
            let inner = elifTable.copy()
            visit(elifBody, inner, &c)
            elifTable.mergeBranches([inner, elifTable.copy(), elifTable.copy()])
        }
        let elseTable = t.copy()
        visit(otherwise, elseTable, &c)
        t.mergeBranches([bodyTable, elifTable, elseTable])
    }

    private static func visit(_ e: TemplateExpression, _ t: SymbolTable) {
        switch e.kind {
        case .literal: break
        case .name(let n): t.load(n)
        case .list(let items), .tuple(let items): items.forEach { visit($0, t) }
        case .dict(let pairs): pairs.forEach { visit($0.0, t); visit($0.1, t) }
        case .attribute(let base, _): visit(base, t)
        case .item(let base, let key): visit(base, t); visit(key, t)
        case .slice(let base, let a, let b, let c): visit(base, t); [a, b, c].forEach { if let x = $0 { visit(x, t) } }
        case .call(let f, let args): visit(f, t); args.forEach { visit($0.value, t) }
        case .filter(let base, _, let args), .test(let base, _, let args, _): visit(base, t); args.forEach { visit($0.value, t) }
        case .unary(_, let x), .not(let x): visit(x, t)
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b): visit(a, t); visit(b, t)
        case .compare(let first, let rest): visit(first, t); rest.forEach { visit($0.1, t) }
        case .conditional(let c, let a, let b): visit(c, t); visit(a, t); if let b { visit(b, t) }
        }
    }
}
