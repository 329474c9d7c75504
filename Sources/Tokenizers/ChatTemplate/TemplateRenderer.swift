import Foundation

/// Walks the syntax tree and writes the output, with Jinja's runtime semantics: Python values,
/// undefined that prints as nothing but fails in arithmetic, attribute lookups that fall back
/// to keys (and key lookups that fall back to methods), and the sandbox's refusal to let a
/// template mutate lists and dicts.
final class TemplateRenderer {
    enum Flow { case normal, breakLoop, continueLoop }

    let builtins: TemplateScope
    /// Macro calls in progress; a template that recurses without end fails with an error
    /// instead of exhausting the thread's stack (Python raises RecursionError there).
    private var callDepth = 0
    static let maximumCallDepth = 1000
    /// Expressions being evaluated, nested; the stack is only measured once this grows, since
    /// finding the thread's stack bounds is slow on the main thread.
    private var nesting = 0
    private lazy var stack = StackGuard()

    init() {
        builtins = TemplateScope(root: nil)
        installGlobals()
    }

    // MARK: statements

    func render(_ nodes: [TemplateNode], _ scope: TemplateScope, _ out: inout String) throws -> Flow {
        for node in nodes {
            let flow = try render(node, scope, &out)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func render(_ node: TemplateNode, _ scope: TemplateScope, _ out: inout String) throws -> Flow {
        switch node {
        case .text(let s):
            out += s
        case .output(let e):
            out += PythonFormatting.str(try evaluate(e, scope))
        case .conditional(let branches, let otherwise):
            for (condition, body) in branches where try evaluate(condition, scope).truthy {
                return try render(body, scope, &out)
            }
            return try render(otherwise, scope, &out)
        case .forLoop(let target, let iterable, let condition, let body, let otherwise, let line, let frame, let elseFrame):
            return try renderLoop(target, iterable, condition, body, otherwise, line, frame, elseFrame, scope, &out)
        case .set(let target, let e, let line):
            try assign(target, try evaluate(e, scope), scope, line: line)
        case .setBlock(let target, let filters, let body, let line, let frame):
            var captured = ""
            _ = try render(body, TemplateScope(parent: scope, frame: frame), &captured)
            var value = JinjaValue.string(captured)
            for (name, args) in filters {
                value = try located(line) { try self.applyFilter(name, value, try self.arguments(args, scope)) }
            }
            try assign(target, value, scope, line: line)
        case .macro(let name, let parameters, let body, let frame):
            scope.variables[name] = .callable(makeMacro(name, parameters, body, frame, definedIn: scope))
        case .callBlock(let call, let parameters, let body, let frame):
            guard case .call(let callee, let args) = call.kind else { return .normal }
            let caller = makeMacro("caller", parameters, body, frame, definedIn: scope)
            var evaluated = try arguments(args, scope)
            evaluated.keyword.append(("caller", .callable(caller)))
            let function = try evaluate(callee, scope)
            out += PythonFormatting.str(try located(call.line) { try self.call(function, evaluated) })
        case .filterBlock(let filters, let body, let line, let frame):
            var captured = ""
            _ = try render(body, TemplateScope(parent: scope, frame: frame), &captured)
            var value = JinjaValue.string(captured)
            for (name, args) in filters {
                value = try located(line) { try self.applyFilter(name, value, try self.arguments(args, scope)) }
            }
            out += PythonFormatting.str(value)
        case .with(let assignments, let body, let line, let frame):
            let inner = TemplateScope(parent: scope, frame: frame)
            for (target, e) in assignments { try assign(target, try evaluate(e, scope), inner, line: line) }
            return try render(body, inner, &out)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        case .generation(let body, let frame):
            _ = try render(body, TemplateScope(parent: scope, frame: frame), &out)
        }
        return .normal
    }

    private func renderLoop(_ target: AssignTarget, _ iterable: TemplateExpression, _ condition: TemplateExpression?,
                            _ body: [TemplateNode], _ otherwise: [TemplateNode], _ line: Int,
                            _ frame: FrameInfo, _ elseFrame: FrameInfo,
                            _ scope: TemplateScope, _ out: inout String) throws -> Flow {
        let sequence = try evaluate(iterable, scope)
        guard var items = sequence.iterated else {
            throw ChatTemplateError(kind: .runtime, message: "'\(sequence.typeName)' object is not iterable", line: line)
        }
        if let condition {
            items = try items.filter { item in
                let probe = TemplateScope(parent: scope, frame: frame)
                try assign(target, item, probe, line: line)
                return try evaluate(condition, probe).truthy
            }
        }
        if items.isEmpty { return try render(otherwise, TemplateScope(parent: scope, frame: elseFrame), &out) }
        let loop = JinjaObject(typeName: "LoopContext", isNamespace: false)
        let count = items.count
        var lastChanged: [JinjaValue]?
        let changed = JinjaValue.callable(JinjaCallable("changed") { args in
            defer { lastChanged = args.positional }
            guard let last = lastChanged else { return .bool(true) }
            return .bool(!PythonOperators.equals(.tuple(last), .tuple(args.positional)))
        })
        for (index, item) in items.enumerated() {
            let inner = TemplateScope(parent: scope, frame: frame)
            try assign(target, item, inner, line: line)
            var a = JinjaDict()
            a["index"] = .int(index + 1)
            a["index0"] = .int(index)
            a["revindex"] = .int(count - index)
            a["revindex0"] = .int(count - index - 1)
            a["first"] = .bool(index == 0)
            a["last"] = .bool(index == count - 1)
            a["length"] = .int(count)
            a["depth"] = .int(1)
            a["depth0"] = .int(0)
            a["previtem"] = index > 0 ? items[index - 1] : .undefined("there is no previous item")
            a["nextitem"] = index < count - 1 ? items[index + 1] : .undefined("there is no next item")
            a["cycle"] = .callable(JinjaCallable("cycle") { args in
                guard !args.positional.isEmpty else { throw JinjaFailure("no items for cycling given") }
                return args.positional[index % args.positional.count]
            })
            a["changed"] = changed
            loop.attributes = a
            inner.variables["loop"] = .object(loop)
            if try render(body, inner, &out) == .breakLoop { break }
        }
        return .normal
    }

    func assign(_ target: AssignTarget, _ value: JinjaValue, _ scope: TemplateScope, line: Int) throws {
        switch target {
        case .name(let n):
            scope.variables[n] = value
        case .attribute(let n, let attribute):
            guard case .object(let o)? = scope.lookup(n), o.isNamespace else {
                throw ChatTemplateError(kind: .runtime, message: "cannot assign attribute on non-namespace object", line: line)
            }
            if attribute.hasPrefix("_") {
                throw ChatTemplateError(kind: .runtime, message: "Chat templates cannot store underscore-prefixed attributes on a namespace, but got '\(attribute)'. Please rename the attribute.", line: line)
            }
            o.attributes[attribute] = value
        case .tuple(let names):
            guard let items = value.iterated, !value.isUndefined else {
                throw ChatTemplateError(kind: .runtime, message: "cannot unpack non-iterable \(value.typeName) object", line: line)
            }
            guard items.count == names.count else {
                let message = items.count < names.count
                    ? "not enough values to unpack (expected \(names.count), got \(items.count))"
                    : "too many values to unpack (expected \(names.count))"
                throw ChatTemplateError(kind: .runtime, message: message, line: line)
            }
            for (n, v) in zip(names, items) { scope.variables[n] = v }
        }
    }

    private func makeMacro(_ name: String, _ parameters: [(String, TemplateExpression?)], _ body: [TemplateNode],
                           _ frame: FrameInfo, definedIn scope: TemplateScope) -> JinjaCallable {
        JinjaCallable(name) { [unowned self] args in
            guard self.callDepth < Self.maximumCallDepth, self.callDepth < 8 || self.stack.hasRoom() else {
                throw JinjaFailure("maximum recursion depth exceeded in macro '\(name)'")
            }
            self.callDepth += 1
            defer { self.callDepth -= 1 }
            let inner = TemplateScope(parent: scope, frame: frame)
            let takesVarargs = frame.referenced.contains("varargs")
            let takesKwargs = frame.referenced.contains("kwargs")
            if args.positional.count > parameters.count && !takesVarargs {
                throw JinjaFailure("macro '\(name)' takes not more than \(parameters.count) argument(s)")
            }
            var caller: JinjaValue?
            var extraKeywords = JinjaDict()
            for (key, value) in args.keyword {
                if key == "caller" { caller = value; continue }
                if parameters.contains(where: { $0.0 == key }) { continue }
                guard takesKwargs else { throw JinjaFailure("macro '\(name)' takes no keyword argument '\(key)'") }
                extraKeywords[key] = value
            }
            for (index, (parameter, defaultValue)) in parameters.enumerated() {
                if let v = args.value(index, parameter) {
                    inner.variables[parameter] = v
                } else if let defaultValue {
                    inner.variables[parameter] = try self.evaluate(defaultValue, inner)
                } else {
                    inner.variables[parameter] = .undefined("parameter '\(parameter)' was not provided")
                }
            }
            inner.variables["varargs"] = .tuple(Array(args.positional.dropFirst(parameters.count)))
            inner.variables["kwargs"] = .dict(extraKeywords)
            if let caller { inner.variables["caller"] = caller }
            var out = ""
            _ = try self.render(body, inner, &out)
            return .string(out)
        }
    }

    // MARK: expressions

    /// Runs `body`, turning an expression failure into an error that names `line`.
    func located<T>(_ line: Int, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as JinjaFailure {
            throw ChatTemplateError(kind: failure.raised ? .raised : .runtime, message: failure.message, line: line)
        }
    }

    func evaluate(_ e: TemplateExpression, _ scope: TemplateScope) throws -> JinjaValue {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > 32 && !stack.hasRoom() {
            throw ChatTemplateError(kind: .runtime, message: "maximum recursion depth exceeded", line: e.line)
        }
        return try located(e.line) { try evaluateKind(e, scope) }
    }

    private func evaluateKind(_ e: TemplateExpression, _ scope: TemplateScope) throws -> JinjaValue {
        switch e.kind {
        case .literal(let v):
            return v
        case .name(let n):
            return scope.lookup(n) ?? .undefined("'\(n)' is undefined")
        case .list(let items):
            return .list(try items.map { try evaluate($0, scope) })
        case .tuple(let items):
            return .tuple(try items.map { try evaluate($0, scope) })
        case .dict(let pairs):
            var d = JinjaDict()
            for (k, v) in pairs {
                let key = try evaluate(k, scope)
                guard case .string(let s) = key else { throw JinjaFailure("only string keys are supported in dict literals, got \(key.typeName)") }
                d[s] = try evaluate(v, scope)
            }
            return .dict(d)
        case .attribute(let base, let name):
            return try attribute(try evaluate(base, scope), name)
        case .item(let base, let key):
            return try item(try evaluate(base, scope), try evaluate(key, scope))
        case .slice(let base, let start, let stop, let step):
            return try slice(try evaluate(base, scope), try start.map { try evaluate($0, scope) },
                             try stop.map { try evaluate($0, scope) }, try step.map { try evaluate($0, scope) })
        case .call(let callee, let args):
            let function = try evaluate(callee, scope)
            return try call(function, try arguments(args, scope))
        case .filter(let base, let name, let args):
            return try applyFilter(name, try evaluate(base, scope), try arguments(args, scope))
        case .test(let base, let name, let args, let negated):
            let result = try applyTest(name, try evaluate(base, scope), try arguments(args, scope))
            return .bool(result != negated)
        case .unary(let op, let operand):
            return try PythonOperators.unary(op, try evaluate(operand, scope))
        case .binary(let op, let left, let right):
            return try PythonOperators.binary(op, try evaluate(left, scope), try evaluate(right, scope))
        case .compare(let first, let rest):
            var left = try evaluate(first, scope)
            for (op, rightExpression) in rest {
                let right = try evaluate(rightExpression, scope)
                guard try PythonOperators.compare(op, left, right) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .and(let a, let b):
            let left = try evaluate(a, scope)
            return left.truthy ? try evaluate(b, scope) : left
        case .or(let a, let b):
            let left = try evaluate(a, scope)
            return left.truthy ? left : try evaluate(b, scope)
        case .not(let a):
            return .bool(!(try evaluate(a, scope).truthy))
        case .conditional(let condition, let then, let otherwise):
            if try evaluate(condition, scope).truthy { return try evaluate(then, scope) }
            if let otherwise { return try evaluate(otherwise, scope) }
            return .undefined("the inline if-expression on line \(e.line) evaluated to false and no else section was defined.")
        }
    }

    func arguments(_ args: [CallArgument], _ scope: TemplateScope) throws -> JinjaArguments {
        var result = JinjaArguments()
        for arg in args {
            let value = try evaluate(arg.value, scope)
            switch arg.style {
            case .positional: result.positional.append(value)
            case .keyword(let name): result.keyword.append((name, value))
            case .spreadList:
                guard let items = value.iterated else { throw JinjaFailure("argument after * must be iterable") }
                result.positional += items
            case .spreadDict:
                guard case .dict(let d) = value else { throw JinjaFailure("argument after ** must be a mapping") }
                result.keyword += d.entries
            }
        }
        return result
    }

    func call(_ function: JinjaValue, _ args: JinjaArguments) throws -> JinjaValue {
        switch function {
        case .callable(let c): return try c.body(args)
        case .undefined(let message): throw JinjaFailure(message)
        default: throw JinjaFailure("'\(function.typeName)' object is not callable")
        }
    }

    /// `obj.name`: Python attributes (methods) first, then keys, as Jinja's `getattr` does.
    func attribute(_ obj: JinjaValue, _ name: String) throws -> JinjaValue {
        if case .undefined(let message) = obj { throw JinjaFailure(message) }
        if let method = TemplateMethods.method(obj, name) { return .callable(method) }
        switch obj {
        case .dict(let d):
            return d[name] ?? .undefined("'dict object' has no attribute '\(name)'")
        case .object(let o):
            return o.attributes[name] ?? .undefined("'\(o.typeName) object' has no attribute '\(name)'")
        default:
            return .undefined("'\(obj.typeName) object' has no attribute '\(name)'")
        }
    }

    /// `obj[key]`: keys and indexes first, then attributes, as Jinja's `getitem` does.
    func item(_ obj: JinjaValue, _ key: JinjaValue) throws -> JinjaValue {
        switch (obj, key) {
        case (.undefined(let message), _):
            throw JinjaFailure(message)
        case (.dict(let d), .string(let k)):
            if let v = d[k] { return v }
        case (.list(let items), _), (.tuple(let items), _):
            if let n = key.integer {
                let index = n < 0 ? n + items.count : n
                if index >= 0 && index < items.count { return items[index] }
                return .undefined("'\(obj.typeName) object' has no element \(n)")
            }
        case (.string(let s), _):
            if case .int(let n) = key {
                let scalars = Array(s.unicodeScalars)
                let index = n < 0 ? n + scalars.count : n
                if index >= 0 && index < scalars.count { return .string(String(scalars[index])) }
                return .undefined("'str object' has no element \(n)")
            }
        default:
            break
        }
        if case .string(let name) = key { return try attribute(obj, name) }
        return .undefined("'\(obj.typeName) object' has no element \(PythonFormatting.repr(key))")
    }

    /// Python slicing with optional start, stop and step, on lists, tuples and strings.
    func slice(_ obj: JinjaValue, _ start: JinjaValue?, _ stop: JinjaValue?, _ step: JinjaValue?) throws -> JinjaValue {
        func bound(_ v: JinjaValue?) throws -> Int? {
            guard let v, !(v.isUndefined) else { return nil }
            if case .none = v { return nil }
            guard let n = v.integer else { throw JinjaFailure("slice indices must be integers or None") }
            return n
        }
        let stepValue = try bound(step) ?? 1
        guard stepValue != 0 else { throw JinjaFailure("slice step cannot be zero") }
        func indices(_ count: Int) throws -> [Int] {
            // Python's PySlice_AdjustIndices.
            func adjust(_ given: Int?, _ fallback: Int) -> Int {
                guard var v = given else { return fallback }
                if v < 0 {
                    v += count
                    if v < 0 { v = stepValue < 0 ? -1 : 0 }
                } else if v >= count {
                    v = stepValue < 0 ? count - 1 : count
                }
                return v
            }
            let a = adjust(try bound(start), stepValue > 0 ? 0 : count - 1)
            let b = adjust(try bound(stop), stepValue > 0 ? count : -1)
            if stepValue > 0 { return a < b ? Array(stride(from: a, to: b, by: stepValue)) : [] }
            return a > b ? Array(stride(from: a, to: b, by: stepValue)) : []
        }
        switch obj {
        case .list(let items): return .list(try indices(items.count).map { items[$0] })
        case .tuple(let items): return .tuple(try indices(items.count).map { items[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            for i in try indices(scalars.count) { out.append(scalars[i]) }
            return .string(String(out))
        case .undefined(let message): throw JinjaFailure(message)
        default: throw JinjaFailure("'\(obj.typeName)' object is not subscriptable")
        }
    }

    /// An attribute path like `a.b.0` looked up with item-first semantics (selectattr, map, sort).
    func lookupPath(_ obj: JinjaValue, _ path: String) throws -> JinjaValue {
        var value = obj
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            if let n = Int(part) { value = try item(value, .int(n)) } else { value = try item(value, .string(String(part))) }
        }
        return value
    }
}
